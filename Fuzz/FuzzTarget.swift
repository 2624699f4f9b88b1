import HotshardCapture
import HotshardProtocols

/// libFuzzer entry points for the protocol parsers (`make fuzz`). The first input byte picks
/// where the rest is cut into request and reply chunks, so that splits, interleavings and
/// garbage are all explored. The parser must never crash, hang or allocate by a wire length.
enum FuzzTarget {
    static let flow = FlowID(client: Endpoint(ipv4: 0x7f00_0001, port: 50_000),
                             server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let control = input.first else { return }
        let data = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        let chunk = Int(control & 0x3f) + 1
        var parser = RESPParser(flow: flow, maxPendingRequests: 64)
        var emitted = 0
        var offset = 0
        var direction = FlowDirection.clientToServer
        var time: Int64 = 0
        while offset < data.count {
            let end = min(data.count, offset + chunk)
            let piece = UnsafeRawBufferPointer(rebasing: data[offset..<end])
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
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> Int32 {
    guard let start else { return 0 }
    FuzzTarget.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
#else
import Foundation

/// Without libFuzzer the target replays inputs (crash reproducers, corpus files) given as paths.
@main
struct FuzzReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { FuzzTarget.run($0) }
            print("\(path): ok")
        }
    }
}
#endif
