import HeapModule
import HotshardProtocols

/// Turns a profile into a capture: the profile's requests at their intended times, spread
/// round-robin over `connections` TCP connections (each opened with a handshake and closed with
/// FINs), each answered by a plausible reply after a simulated service time. Sequence and
/// acknowledgement numbers follow the bytes; timestamps follow the arrival schedule.
/// Deterministic for a profile and seed. Memory: the replies not yet written (a heap bounded by
/// the requests within one service time), never the whole capture.
public struct TrafficSynthesizer {
    /// What was written.
    public struct Summary: Sendable {
        public var requests: Int
        public var packets: Int
        public var connections: Int
        public var seconds: Double
    }

    public enum Problem: Error, CustomStringConvertible {
        case tooManyRequests(Int)
        case memcachedProtocol(MemcachedProtocol)
        public var description: String {
            switch self {
            case .memcachedProtocol(let wire):
                "synth writes memcached text conversations only, not \(wire.rawValue) (use protocol: text)"
            case .tooManyRequests(let count):
                "the profile makes \(count) requests; synth writes at most the --max-requests limit (use --duration or --requests)"
            }
        }
    }

    private struct Connection {
        var clientPort: UInt16
        var clientSequence: UInt32
        var serverSequence: UInt32
        var lastReplyMicros: Int64 = 0
    }

    private struct PendingReply: Comparable {
        var micros: Int64
        var order: Int
        var connection: Int
        var bytes: [UInt8]
        static func < (a: PendingReply, b: PendingReply) -> Bool { (a.micros, a.order) < (b.micros, b.order) }
        static func == (a: PendingReply, b: PendingReply) -> Bool { a.micros == b.micros && a.order == b.order }
    }

    public let profile: LoadProfile
    /// Nominal rate for closed-loop profiles, which have no schedule.
    public var closedLoopRate: Double = 10_000
    public var maxRequests: Int = 10_000_000
    /// Capture start: 2026-01-01T00:00:00Z, fixed so that output is byte-for-byte deterministic.
    public var startMicros: Int64 = 1_767_225_600_000_000

    static let clientAddress: UInt32 = 0x7f00_0001
    static let serverAddress: UInt32 = 0x7f00_0001
    static let maxSegment = 1_448

    public init(profile: LoadProfile) {
        self.profile = profile
    }

    /// Writes the capture to `path`; `onRequest` sees every request (for tests that need the truth).
    @discardableResult
    public func write(to path: String, onRequest: ((LoadRequest) -> Void)? = nil) throws -> Summary {
        guard profile.target.scheme != .memcached || profile.memcachedProtocol == .text else {
            throw Problem.memcachedProtocol(profile.memcachedProtocol)
        }
        var spec = profile.arrival
        if case .closedLoop = spec { spec = .constant(rate: closedLoopRate) }
        var schedule = ArrivalSchedule(spec: spec, phases: profile.phases, seed: profile.seed)
        var generator = RequestGenerator(profile: profile, seed: profile.seed)
        var random = SeededGenerator(seed: profile.seed ^ 0x5eed_5eed)
        let encoder = RequestEncoder(profile: profile)
        let endMicros: Int64? = profile.totalSeconds.map { Int64($0 * 1e6) }
        let limit = profile.requests.map { $0 } ?? Int.max
        if let total = profile.totalSeconds, let rate = schedule.targetRate(at: 0),
            Double(total) * rate > Double(maxRequests) * 1.5
        {
            throw Problem.tooManyRequests(Int(Double(total) * rate))
        }
        var writer = try PcapWriter(path: path)
        let serverPort = UInt16(truncatingIfNeeded: profile.target.port)
        var connections: [Connection] = (0..<profile.connections).map { index in
            Connection(
                clientPort: UInt16(truncatingIfNeeded: 40_000 + index % 20_000),
                clientSequence: UInt32(truncatingIfNeeded: random.next()),
                serverSequence: UInt32(truncatingIfNeeded: random.next()))
        }
        // Handshakes, 100 µs apart per connection, before the first request.
        let openMicros = startMicros
        for index in connections.indices {
            let t = openMicros + Int64(index) * 3
            var connection = connections[index]
            try writer.write(clientSegment(connection, serverPort, flags: PcapWriter.syn, ack: 0), payload: [], micros: t)
            connection.clientSequence &+= 1
            try writer.write(serverSegment(connection, serverPort, flags: PcapWriter.syn | PcapWriter.ack), payload: [], micros: t + 1)
            connection.serverSequence &+= 1
            try writer.write(clientSegment(connection, serverPort, flags: PcapWriter.ack), payload: [], micros: t + 2)
            connections[index] = connection
        }
        let firstRequestMicros = openMicros + Int64(connections.count) * 3 + 100
        var pending = Heap<PendingReply>()
        var requests = 0
        var order = 0
        var lastMicros = firstRequestMicros
        var incrCounter = 0
        var bytes: [UInt8] = []
        while requests < limit, requests < maxRequests {
            let offset = schedule.next()
            let offsetMicros = offset / 1_000
            if let endMicros, offsetMicros >= endMicros { break }
            let micros = firstRequestMicros + offsetMicros
            while let first = pending.min, first.micros <= micros {
                let reply = pending.removeMin()
                try writeData(
                    reply.bytes, from: .server, connection: &connections[reply.connection], port: serverPort,
                    micros: reply.micros, writer: &writer)
            }
            let request = generator.next(at: Double(offset) / 1e9)
            let connectionIndex = requests % connections.count
            bytes.removeAll(keepingCapacity: true)
            encoder.encode(request, into: &bytes)
            try writeData(
                bytes, from: .client, connection: &connections[connectionIndex], port: serverPort, micros: micros,
                writer: &writer)
            onRequest?(request)
            // Service time: 30 µs plus an exponential part with mean 70 µs; replies stay in order per connection.
            let service = 30 + Int64(-70 * log(random.nextOpenDouble()))
            let replyMicros = max(micros + service, connections[connectionIndex].lastReplyMicros + 1)
            connections[connectionIndex].lastReplyMicros = replyMicros
            if request.kind == .incr { incrCounter += 1 }
            pending.insert(
                PendingReply(
                    micros: replyMicros, order: order, connection: connectionIndex,
                    bytes: reply(to: request, incr: incrCounter, random: &random)))
            order += 1
            requests += 1
            lastMicros = max(lastMicros, replyMicros)
        }
        while let reply = pending.popMin() {
            try writeData(
                reply.bytes, from: .server, connection: &connections[reply.connection], port: serverPort,
                micros: reply.micros, writer: &writer)
        }
        // Close: FIN from the client, FIN+ACK from the server, the client's last ACK.
        var t = lastMicros + 100
        for index in connections.indices {
            var connection = connections[index]
            try writer.write(clientSegment(connection, serverPort, flags: PcapWriter.fin | PcapWriter.ack), payload: [], micros: t)
            connection.clientSequence &+= 1
            try writer.write(serverSegment(connection, serverPort, flags: PcapWriter.fin | PcapWriter.ack), payload: [], micros: t + 1)
            connection.serverSequence &+= 1
            try writer.write(clientSegment(connection, serverPort, flags: PcapWriter.ack), payload: [], micros: t + 2)
            connections[index] = connection
            t += 3
        }
        try writer.finish()
        return Summary(
            requests: requests, packets: writer.packets, connections: connections.count,
            seconds: Double(t - startMicros) / 1e6)
    }

    private enum Side { case client, server }

    private func clientSegment(_ c: Connection, _ port: UInt16, flags: UInt8, ack: UInt32? = nil) -> PcapWriter.Segment {
        PcapWriter.Segment(
            sourceAddress: Self.clientAddress, destinationAddress: Self.serverAddress, sourcePort: c.clientPort,
            destinationPort: port, sequence: c.clientSequence, acknowledgement: ack ?? c.serverSequence, flags: flags)
    }

    private func serverSegment(_ c: Connection, _ port: UInt16, flags: UInt8) -> PcapWriter.Segment {
        PcapWriter.Segment(
            sourceAddress: Self.serverAddress, destinationAddress: Self.clientAddress, sourcePort: port,
            destinationPort: c.clientPort, sequence: c.serverSequence, acknowledgement: c.clientSequence, flags: flags)
    }

    private func writeData(
        _ data: [UInt8], from side: Side, connection: inout Connection, port: UInt16, micros: Int64,
        writer: inout PcapWriter
    ) throws {
        var start = 0
        while start < data.count {
            let end = min(data.count, start + Self.maxSegment)
            let flags = PcapWriter.ack | (end == data.count ? PcapWriter.psh : 0)
            switch side {
            case .client:
                try writer.write(clientSegment(connection, port, flags: flags), payload: data[start..<end], micros: micros)
                connection.clientSequence &+= UInt32(end - start)
            case .server:
                try writer.write(serverSegment(connection, port, flags: flags), payload: data[start..<end], micros: micros)
                connection.serverSequence &+= UInt32(end - start)
            }
            start = end
        }
    }

    /// A reply such as the server would send: reads hit with a value of the profile's size.
    private func reply(to request: LoadRequest, incr: Int, random: inout SeededGenerator) -> [UInt8] {
        func valueSize() -> Int {
            switch profile.valueSize {
            case .fixed(let size): return size
            case .uniform(let low, let high): return low + Int(random.next(below: UInt64(high - low + 1)))
            case .choices(let choices): return choices.first?.size ?? 0
            }
        }
        var out: [UInt8] = []
        func bulk(_ size: Int) {
            out += Array("$\(size)\r\n".utf8)
            out += repeatElement(UInt8(ascii: "v"), count: size)
            out += [0x0d, 0x0a]
        }
        switch (profile.target.scheme, request.kind) {
        case (.redis, .get): bulk(valueSize())
        case (.redis, .multiGet):
            out += Array("*\(request.keys.count)\r\n".utf8)
            for _ in request.keys { bulk(valueSize()) }
        case (.redis, .set): out += Array("+OK\r\n".utf8)
        case (.redis, .delete): out += Array(":1\r\n".utf8)
        case (.redis, .incr): out += Array(":\(incr)\r\n".utf8)
        case (.memcached, .get), (.memcached, .multiGet):
            for reference in request.keys {
                let size = valueSize()
                out += Array("VALUE ".utf8) + reference.key.bytes + Array(" 0 \(size)\r\n".utf8)
                out += repeatElement(UInt8(ascii: "v"), count: size)
                out += [0x0d, 0x0a]
            }
            out += Array("END\r\n".utf8)
        case (.memcached, .set): out += Array("STORED\r\n".utf8)
        case (.memcached, .delete): out += Array("DELETED\r\n".utf8)
        case (.memcached, .incr): out += Array("\(incr)\r\n".utf8)
        case (.http, .httpPost), (.http, .set):
            out += Array("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".utf8)
        default:
            let size = valueSize()
            out += Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(size)\r\n\r\n".utf8)
            out += repeatElement(UInt8(ascii: "v"), count: size)
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
