import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Testing
@testable import HotshardReport

/// A hot key measured only from its promotion to the candidate tier says so in the result:
/// `statisticsSince` is written, read back, and equals the known answer of a hand-built stream.
@Suite struct StatisticsSinceTests {
    static func message(_ key: String, at index: Int, operation: OperationClass) -> Message {
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 50_000), server: Endpoint(ipv4: 0x7f00_0001, port: 6379),
            transport: .tcp)
        return Message(
            timestampNanos: Int64(index) * 1_000_000, flow: flow, wireProtocol: .resp,
            command: operation == .write ? "SET" : "GET", operation: operation,
            keys: KeyList([KeyReference(key: Key(key))]), requestBytes: 30, replyBytes: 10, status: .ok,
            latencyNanos: 50_000)
    }

    /// Two candidates: `a` and `b` (3 reads each) take them; `c` (3 reads, then 2 writes) passes their
    /// floor of 3 at its 4th request and is measured from there: statisticsSince 3, 2 writes, no reads.
    @Test func theResultSaysFromWhenAKeyWasMeasured() throws {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 100
        configuration.candidateCapacity = 2
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let stream: [(String, OperationClass)] =
            Array(repeating: ("a", .read), count: 3) + Array(repeating: ("b", .read), count: 3)
            + Array(repeating: ("c", .read), count: 3) + Array(repeating: ("c", .write), count: 2)
        for (index, (key, operation)) in stream.enumerated() {
            analyzer.receive(Self.message(key, at: index, operation: operation))
        }
        let document = ResultDocument(
            analysis: analyzer.snapshot(), capture: CaptureHealth(), source: .init(kind: .capture, inputs: []),
            topKeys: 3)
        let json = try JSONSerialization.jsonObject(with: document.encodedJSON()) as? [String: Any]
        let hot = json?["hotKeys"] as? [[String: Any]] ?? []
        #expect(hot.map { $0["key"] as? String } == ["c", "a", "b"])
        #expect(hot.map { $0["statisticsSince"] as? Int } == [3, 3, 0])
        #expect(hot.first?["count"] as? Int == 5 && hot.first?["writes"] as? Int == 2 && hot.first?["reads"] as? Int == 0)
        let decoded = try ResultDocument.decode(json: document.encodedJSON())
        #expect(decoded.hotKeys.map(\.statisticsSince) == [3, 3, 0])
        #expect(decoded.schemaVersion == 2)
    }
}
