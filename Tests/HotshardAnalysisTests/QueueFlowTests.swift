import HotshardCapture
import HotshardProtocols
import Testing

@testable import HotshardAnalysis

/// Per-queue inflow, outflow and backlog from AMQP messages whose counts the test chose: a queue
/// fed through a binding whose routing key is not its name, a queue fed on the default exchange,
/// and a queue with publishes all run long and no consumer (its backlog rises to what was published).
@Suite struct QueueFlowTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_010),
        server: Endpoint(ipv4: 0x7f00_0001, port: 5672), transport: .tcp)

    static func message(_ command: String, _ operation: OperationClass, _ keys: [String], at nanos: Int64) -> Message {
        Message(
            timestampNanos: nanos, flow: flow, wireProtocol: .amqp, command: command, operation: operation,
            keys: KeyList(keys.map { KeyReference(key: Key($0)) }), requestBytes: 10)
    }

    /// Four one-second windows. Per window: 5 publishes of `rk.bound` (bound to `q.bound`), 3
    /// deliveries of `q.bound`; 2 publishes to the default exchange for `q.direct` and 2 of its
    /// deliveries; 4 publishes of `rk.idle` (bound to `q.idle`, never consumed).
    static func traffic() -> [Message] {
        var messages = [
            message("queue.bind", .other, ["q.bound", "hs.x", "rk.bound"], at: 1_000),
            message("queue.bind", .other, ["q.idle", "hs.x", "rk.idle"], at: 2_000),
        ]
        for second in 0..<4 {
            let base = Int64(second) * 1_000_000_000 + 10_000
            var offset: Int64 = 0
            func add(_ command: String, _ operation: OperationClass, _ key: String, _ times: Int) {
                for _ in 0..<times {
                    offset += 1_000
                    messages.append(message(command, operation, [key], at: base + offset))
                }
            }
            add("basic.publish", .write, "rk.bound", 5)
            add("basic.deliver", .read, "q.bound", 3)
            add("basic.publish", .write, "q.direct", 2)
            add("basic.deliver", .read, "q.direct", 2)
            add("basic.publish", .write, "rk.idle", 4)
        }
        return messages
    }

    static func flows(_ messages: [Message]) -> [String: QueueFlow] {
        let analyzer = HotKeyAnalyzer()
        analyzer.receive(contentsOf: messages)
        return Dictionary(uniqueKeysWithValues: analyzer.snapshot().queueFlows().map { ($0.queue.escaped, $0) })
    }

    @Test func bindingDefaultExchangeAndUnconsumedQueues() throws {
        let flows = Self.flows(Self.traffic())
        #expect(flows.keys.sorted() == ["q.bound", "q.direct", "q.idle"])
        let bound = try #require(flows["q.bound"])
        #expect(bound.inflow == 20 && bound.outflow == 12 && bound.backlog == 8 && bound.exact)
        #expect(bound.sources.map { "\($0.key.escaped) \($0.rule.rawValue) \($0.publishes)" } == ["rk.bound binding 20"])
        #expect(bound.windows.map(\.inflow) == [5, 5, 5, 5])
        #expect(bound.windows.map(\.outflow) == [3, 3, 3, 3])
        #expect(bound.windows.map(\.backlog) == [2, 4, 6, 8])
        #expect(bound.trend == .rising)

        let direct = try #require(flows["q.direct"])
        #expect(direct.inflow == 8 && direct.outflow == 8 && direct.backlog == 0)
        #expect(direct.sources.map(\.rule) == [.defaultExchange])
        // One key both published and delivered: its window counts do not split, so they are unknown.
        #expect(direct.windows.map(\.backlog) == [nil, nil, nil, nil])
        #expect(direct.trend == .unknown)

        let idle = try #require(flows["q.idle"])
        #expect(idle.inflow == 16 && idle.outflow == 0 && idle.backlog == 16)
        #expect(idle.windows.map(\.backlog) == [4, 8, 12, 16])
        #expect(idle.trend == .rising)
        // Binding names are not hot keys.
        let analyzer = HotKeyAnalyzer()
        analyzer.receive(contentsOf: Self.traffic())
        let snapshot = analyzer.snapshot()
        #expect(!snapshot.keys.contains { $0.key.escaped == "hs.x" })
        #expect(snapshot.queueBindings?.bindings.count == 2)
    }

    /// Two halves analysed apart merge into the same flows: bindings are a union.
    @Test func mergedHalvesAgreeWithTheWhole() throws {
        let messages = Self.traffic()
        let middle = messages.count / 2
        let a = HotKeyAnalyzer(), b = HotKeyAnalyzer()
        a.receive(contentsOf: Array(messages[..<middle]))
        b.receive(contentsOf: [messages[0]] + Array(messages[middle...]))
        let merged = try AnalysisSnapshot.merged([a.snapshot(), b.snapshot()])
        #expect(merged.queueBindings?.bindings.count == 2)
        let flows = Dictionary(uniqueKeysWithValues: merged.queueFlows().map { ($0.queue.escaped, $0) })
        #expect(flows["q.bound"]?.inflow == 20 && flows["q.bound"]?.outflow == 12)
        #expect(flows["q.idle"]?.backlog == 16)
    }

    /// The set stays within its limit and counts what it left out.
    @Test func bindingSetIsBoundedAndCountsDrops() {
        var set = QueueBindingSet()
        for index in 0..<(QueueBindingSet.limit + 5) {
            set.insert(QueueBinding(queue: Key("q\(index)"), exchange: Key("x"), routingKey: Key("r")))
        }
        set.insert(QueueBinding(queue: Key("q0"), exchange: Key("x"), routingKey: Key("r")))
        #expect(set.bindings.count == QueueBindingSet.limit && set.dropped == 5)
        #expect(set.bindings == set.bindings.sorted())
    }

    /// Windows (and so the trend) only for the queues asked for, busiest inflow first.
    @Test func windowsOnlyForTheQueuesShown() {
        let analyzer = HotKeyAnalyzer()
        analyzer.receive(contentsOf: Self.traffic())
        let flows = analyzer.snapshot().queueFlows(windowsFor: 1)
        #expect(flows.map(\.queue.escaped) == ["q.bound", "q.idle", "q.direct"])
        #expect(flows.map(\.windows.count) == [4, 0, 0])
        #expect(flows.map(\.trend) == [.rising, .unknown, .unknown])
    }
}
