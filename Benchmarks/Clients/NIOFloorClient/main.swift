import Foundation
import NIOCore
import NIOPosix

// The floor of a SwiftNIO load client, for BENCHMARKS.md: the same connections, pipeline depth and
// requests (GET of a random key of `key:{n:012}`; memcached: 90 % get, 10 % set of 100 bytes, as
// memcaslap's default mix) as `hotshard load`, but nothing else per request:
// no request generator, no reply parser beyond finding where each reply ends, no latency, no analysis.
// Beside `hotshard load` and redis-benchmark or wrk it splits a CPU gap into what SwiftNIO costs
// and what hotshard's own work costs.
//
// Usage: NIOFloorClient resp|http|memcached PORT CONNECTIONS PIPELINE THREADS REQUESTS KEYS
// Prints {"requests": N, "seconds": S, "requests_per_second": R}.

enum FloorProtocol: String { case resp, http, memcached }

struct Arguments {
    var wireProtocol: FloorProtocol
    var port: Int
    var connections: Int
    var pipeline: Int
    var threads: Int
    var requests: Int
    var keys: UInt64

    init?(_ arguments: [String]) {
        guard arguments.count == 8, let wireProtocol = FloorProtocol(rawValue: arguments[1]),
            let port = Int(arguments[2]), let connections = Int(arguments[3]), let pipeline = Int(arguments[4]),
            let threads = Int(arguments[5]), let requests = Int(arguments[6]), let keys = UInt64(arguments[7]),
            connections >= threads, threads > 0, pipeline > 0, requests > 0, keys > 0
        else { return nil }
        self.wireProtocol = wireProtocol
        self.port = port
        self.connections = connections
        self.pipeline = pipeline
        self.threads = threads
        self.requests = requests
        self.keys = keys
    }
}

/// One event loop's share of the requests; touched on that loop only.
final class LoopBudget: @unchecked Sendable {
    var unsent: Int
    var unanswered: Int
    let done: EventLoopPromise<Void>

    init(requests: Int, done: EventLoopPromise<Void>) {
        unsent = requests
        unanswered = requests
        self.done = done
    }
}

/// Where replies end, as cheaply as the protocol allows: RESP simple lines and bulk strings
/// (`$-1`, or `$N` and N bytes), HTTP headers up to the blank line and a Content-Length body,
/// memcached text lines (`VALUE … N` and N bytes, then `END`; `STORED`).
/// Lines are found with memchr; only a line cut by the end of a read is copied.
struct ReplyCounter {
    let wireProtocol: FloorProtocol
    /// Bytes of the current reply still to skip (a bulk string's or a body's).
    private var skip = 0
    /// The start of a line the last read cut (its first 64 bytes: all that is looked at).
    private var carry: [UInt8] = []
    private var contentLength = 0

    init(_ wireProtocol: FloorProtocol) {
        self.wireProtocol = wireProtocol
        carry.reserveCapacity(64)
    }

    /// Replies that ended in `bytes`.
    mutating func count(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var replies = 0
        var index = 0
        while index < bytes.count {
            if skip > 0 {
                let taken = min(skip, bytes.count - index)
                skip -= taken
                index += taken
                if skip == 0, wireProtocol == .http { replies += 1 }
                continue
            }
            guard let found = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index) else {
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index...]).prefix(64 - carry.count))
                break
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            let line = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
            if carry.isEmpty {
                replies += endLine(line)
            } else {
                carry.append(contentsOf: line.prefix(64 - carry.count))
                replies += carry.withUnsafeBytes { endLine($0) }
                carry.removeAll(keepingCapacity: true)
            }
            index = end + 1
        }
        return replies
    }

    /// A line ended (without its LF): returns 1 when it ended a reply.
    private mutating func endLine(_ line: UnsafeRawBufferPointer) -> Int {
        switch wireProtocol {
        case .resp:
            // `$N\r`: a bulk string of N bytes and its CRLF follow; `$-1` and simple lines end here.
            if line.first == UInt8(ascii: "$"), line.count > 1, line[1] != UInt8(ascii: "-") {
                skip = Self.decimal(line.dropFirst()) + 2
            }
            return 1
        case .http:
            if line.count <= 1 {
                // The blank line: the body follows, or the reply ends here.
                guard contentLength > 0 else { return 1 }
                skip = contentLength
                contentLength = 0
                return 0
            }
            let name = "content-length:".utf8
            if line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                contentLength = Self.decimal(line.dropFirst(name.count))
            }
            return 0
        case .memcached:
            // `VALUE key flags N\r`: N bytes and CRLF follow, then `END`; every other line ends a reply.
            guard line.starts(with: "VALUE ".utf8) else { return 1 }
            var start = line.count
            while start > 0, line[start - 1] != UInt8(ascii: " ") { start -= 1 }
            skip = Self.decimal(line[start...]) + 2
            return 0
        }
    }

    /// The digits of `bytes` as a number (other bytes skipped; at most 18 digits).
    private static func decimal(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int {
        var value = 0
        for byte in bytes.prefix(24) where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

final class FloorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let arguments: Arguments
    let budget: LoopBudget
    private var counter: ReplyCounter
    private var random: UInt64

    init(arguments: Arguments, budget: LoopBudget, seed: UInt64) {
        self.arguments = arguments
        self.budget = budget
        counter = ReplyCounter(arguments.wireProtocol)
        random = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    func channelActive(context: ChannelHandlerContext) {
        send(arguments.pipeline, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        let replies = buffer.withUnsafeReadableBytes { counter.count($0) }
        guard replies > 0 else { return }
        budget.unanswered -= replies
        if budget.unanswered <= 0 {
            // Every request of this loop is answered: nothing more comes, so this happens once.
            budget.done.succeed()
            return
        }
        send(replies, context: context)
    }

    private func send(_ wanted: Int, context: ChannelHandlerContext) {
        let count = min(wanted, budget.unsent)
        guard count > 0 else { return }
        budget.unsent -= count
        var buffer = context.channel.allocator.buffer(capacity: count * 64)
        for _ in 0..<count {
            // xorshift64: a fresh key per request, as the tools compared draw theirs.
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            let key = random % arguments.keys
            switch arguments.wireProtocol {
            case .resp:
                buffer.writeStaticString("*2\r\n$3\r\nGET\r\n$16\r\nkey:")
                writeDigits(key, into: &buffer)
                buffer.writeStaticString("\r\n")
            case .http:
                buffer.writeStaticString("GET /item/key:")
                writeDigits(key, into: &buffer)
                buffer.writeStaticString(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            case .memcached:
                if random % 10 == 0 {
                    buffer.writeStaticString("set key:")
                    writeDigits(key, into: &buffer)
                    buffer.writeStaticString(" 0 0 100\r\n")
                    buffer.writeRepeatingByte(UInt8(ascii: "x"), count: 100)
                    buffer.writeStaticString("\r\n")
                } else {
                    buffer.writeStaticString("get key:")
                    writeDigits(key, into: &buffer)
                    buffer.writeStaticString("\r\n")
                }
            }
        }
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
    }

    typealias OutboundOut = ByteBuffer

    /// `value` as 12 decimal digits, zero-padded.
    private func writeDigits(_ value: UInt64, into buffer: inout ByteBuffer) {
        var rest = value
        buffer.writeRepeatingByte(UInt8(ascii: "0"), count: 12)
        var index = buffer.writerIndex - 1
        while rest > 0, index >= buffer.writerIndex - 12 {
            buffer.setInteger(UInt8(ascii: "0") + UInt8(rest % 10), at: index)
            rest /= 10
            index -= 1
        }
    }
}

guard let arguments = Arguments(CommandLine.arguments) else {
    FileHandle.standardError.write(Data("usage: NIOFloorClient resp|http|memcached PORT CONNECTIONS PIPELINE THREADS REQUESTS KEYS\n".utf8))
    exit(2)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: arguments.threads)
var finished: [EventLoopFuture<Void>] = []
var channels: [EventLoopFuture<Channel>] = []
let start = DispatchTime.now().uptimeNanoseconds
for thread in 0..<arguments.threads {
    let loop = group.next()
    let share = arguments.requests / arguments.threads + (thread < arguments.requests % arguments.threads ? 1 : 0)
    let budget = LoopBudget(requests: share, done: loop.makePromise())
    finished.append(budget.done.futureResult)
    let connections = arguments.connections / arguments.threads + (thread < arguments.connections % arguments.threads ? 1 : 0)
    for connection in 0..<connections {
        let seed = UInt64(thread * 10_000 + connection + 1)
        channels.append(
            ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FloorHandler(arguments: arguments, budget: budget, seed: seed))
                    }
                }
                .connect(host: "127.0.0.1", port: arguments.port))
    }
}
do {
    for future in finished { try future.wait() }
} catch {
    FileHandle.standardError.write(Data("NIOFloorClient: \(error)\n".utf8))
    exit(1)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
for channel in channels { try? channel.wait().close().wait() }
print(#"{"requests": \#(arguments.requests), "seconds": \#(seconds), "requests_per_second": \#(Double(arguments.requests) / seconds)}"#)
try? group.syncShutdownGracefully()
