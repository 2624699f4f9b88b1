import HotshardBytes
import HotshardCapture
import HotshardProtocols

/// libFuzzer entry points for the protocol parsers (`make fuzz`), one target per parser, chosen
/// by `HOTSHARD_FUZZ_PARSER` (resp, memcached, memcached-udp, http, amqp). The first input byte picks
/// where the rest is cut into request and reply chunks, whether directions alternate and where
/// gaps fall, so that splits, interleavings and garbage are all explored. A parser must never
/// crash, hang or allocate by a wire length.
enum FuzzTarget {
    enum Parser: String, CaseIterable {
        case resp, memcached, memcachedUDP = "memcached-udp", http, amqp
    }

    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 50_000),
        server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)
    static let configuration: DecoderConfiguration = {
        var configuration = DecoderConfiguration()
        configuration.maxPendingRequests = 64
        return configuration
    }()

    static func run(_ input: ByteView, parser kind: Parser) {
        switch kind {
        case .resp: drive(RESPParser(flow: flow, maxPendingRequests: 64), input)
        case .memcached: drive(MemcachedParser(flow: flow, configuration: configuration), input)
        case .http: drive(HTTPParser(flow: flow, configuration: configuration), input)
        case .memcachedUDP: datagrams(input)
        case .amqp: drive(AMQPParser(flow: flow, configuration: configuration), input)
        }
    }

    static func drive<P: ConversationParser>(_ start: P, _ input: ByteView) {
        guard let control = input.first else { return }
        var parser = start
        let data = input.dropping(first: 1)
        let chunk = Int(control & 0x3f) + 1
        var emitted = 0
        var offset = 0
        var direction = FlowDirection.clientToServer
        var time: Int64 = 0
        while offset < data.count {
            let end = min(data.count, offset + chunk)
            let piece = data.extracting(offset..<end)
            time += 1_000
            if control & 0x40 != 0, offset > 0, offset % (chunk * 3) == 0 {
                parser.gap(direction, timestampNanos: time, length: chunk) { _ in emitted += 1 }
            }
            parser.feed(direction, timestampNanos: time, bytes: piece) { _ in emitted += 1 }
            if control & 0x80 != 0 { direction = direction == .clientToServer ? .serverToClient : .clientToServer }
            offset = end
        }
        parser.finish(timestampNanos: time) { _ in emitted += 1 }
        precondition(emitted >= 0)
    }

    /// memcached over UDP: the input is cut into datagrams, each with its 8-byte frame header.
    static func datagrams(_ input: ByteView) {
        guard let control = input.first else { return }
        var parser = MemcachedParser(flow: flow, configuration: configuration)
        let data = input.dropping(first: 1)
        let size = Int(control & 0x7f) + 1
        var offset = 0
        var time: Int64 = 0
        var direction = FlowDirection.clientToServer
        while offset < data.count {
            let end = min(data.count, offset + size)
            time += 1_000
            parser.datagram(direction, timestampNanos: time, bytes: data.extracting(offset..<end)) { _ in }
            if control & 0x80 != 0 { direction = direction == .clientToServer ? .serverToClient : .clientToServer }
            offset = end
        }
        parser.finish(timestampNanos: time) { _ in }
    }
}

#if FUZZING
import Foundation

let fuzzedParser: FuzzTarget.Parser = {
    let name = ProcessInfo.processInfo.environment["HOTSHARD_FUZZ_PARSER"] ?? "resp"
    guard let parser = FuzzTarget.Parser(rawValue: name) else {
        fatalError("HOTSHARD_FUZZ_PARSER=\(name): expected one of \(FuzzTarget.Parser.allCases.map(\.rawValue))")
    }
    return parser
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> Int32 {
    guard let start else { return 0 }
    FuzzTarget.run(ByteView(UnsafeRawBufferPointer(start: start, count: count)), parser: fuzzedParser)
    return 0
}

/// SwiftPM points an executable's `main` at this target's entry point, so libFuzzer's own `main`
/// is never linked: the entry point hands control to libFuzzer's driver instead.
@main
struct FuzzMain {
    typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    typealias Driver =
        @convention(c) (
            UnsafeMutablePointer<Int32>,
            UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
            Callback
        ) -> Int32

    static func main() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
            fatalError("LLVMFuzzerRunDriver not linked: build with -sanitize=fuzzer")
        }
        let driver = unsafeBitCast(symbol, to: Driver.self)
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let callback: Callback = { data, count in
            fuzzTestOneInput(UnsafeRawPointer(data), count)
        }
        exit(driver(&argc, &argv, callback))
    }
}
#else
import Foundation

/// Without libFuzzer the target replays inputs (crash reproducers, corpus files) given as paths,
/// through the parser named by `HOTSHARD_FUZZ_PARSER` (default: every parser).
@main
struct FuzzReplay {
    static func main() throws {
        let named = ProcessInfo.processInfo.environment["HOTSHARD_FUZZ_PARSER"].flatMap(FuzzTarget.Parser.init(rawValue:))
        let parsers = named.map { [$0] } ?? FuzzTarget.Parser.allCases
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            for parser in parsers { data.withUnsafeBytes { FuzzTarget.run(ByteView($0), parser: parser) } }
            print("\(path): ok")
        }
    }
}
#endif
