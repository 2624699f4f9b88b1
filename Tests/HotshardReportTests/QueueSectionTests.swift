import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Testing

@testable import HotshardReport

/// The result's `queues` section: as many queues as hot keys, the rest counted; through the JSON
/// codec unchanged (a queue named by bytes that are not UTF-8 as `keyBase64`); in the terminal and
/// the HTML page with names escaped; absent for traffic that is not AMQP.
@Suite struct QueueSectionTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_020),
        server: Endpoint(ipv4: 0x7f00_0001, port: 5672), transport: .tcp)

    /// Queue i (of `names`) gets 10 − i publishes on the default exchange and half as many deliveries.
    static func document(_ names: [[UInt8]], topKeys: Int, wireProtocol: WireProtocol = .amqp) -> ResultDocument {
        let analyzer = HotKeyAnalyzer()
        var time: Int64 = 1_000_000_000
        for (index, name) in names.enumerated() {
            for publish in 0..<(10 - index) {
                for (command, operation) in [("basic.publish", OperationClass.write), ("basic.deliver", .read)]
                where operation == .write || publish % 2 == 0 {
                    time += 1_000_000
                    analyzer.receive(
                        Message(
                            timestampNanos: time, flow: flow, wireProtocol: wireProtocol, command: command,
                            operation: operation, keys: KeyList([KeyReference(key: Key(name))]), requestBytes: 8))
                }
            }
        }
        return ResultDocument(
            analysis: analyzer.snapshot(), capture: CaptureHealth(), source: .init(kind: .capture, inputs: ["q.pcap"]),
            topKeys: topKeys)
    }

    static let names: [[UInt8]] = [Array("<q&\"1\">".utf8), [0xff, 0xfe], Array("q.3".utf8)]

    @Test func asManyQueuesAsHotKeysAndTheRestCounted() throws {
        let document = Self.document(Self.names, topKeys: 2)
        let queues = try #require(document.queues)
        #expect(queues.map(\.queue.bytes) == Array(Self.names.prefix(2)))
        #expect(queues.map(\.inflow) == [10, 9] && queues.map(\.outflow) == [5, 5])
        #expect(queues.map(\.backlog) == [5, 4])
        #expect(queues.allSatisfy { $0.sources.map(\.rule) == [.defaultExchange] })
        #expect(document.queuesOmitted == 1)
        let read = try ResultDocument.decode(json: try document.encodedJSON())
        #expect(read.queues == queues && read.queuesOmitted == 1)
        let object = try JSONSerialization.jsonObject(with: try document.encodedJSON()) as? [String: Any]
        let second = (object?["queues"] as? [[String: Any]])?.last
        #expect(second?["keyBase64"] as? String == "//4=" && second?["key"] == nil)
    }

    @Test func terminalAndPageEscapeQueueNames() throws {
        let document = Self.document(Self.names, topKeys: 2)
        let text = TerminalSummary.render(document, top: 0, includeHealth: false)
        #expect(text.contains("\\xff\\xfe") && text.contains("… 1 more queues with less inflow"))
        let page = try HTMLReport.render(document)
        #expect(page.contains("id=\"queue-flows\""))
        #expect(!page.contains("<q&") && page.contains("&lt;q&amp;"))
    }

    @Test func absentForOtherProtocols() {
        #expect(Self.document(Self.names, topKeys: 10, wireProtocol: .resp).queues == nil)
    }
}
