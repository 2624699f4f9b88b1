import Foundation
import Testing
import HotshardTestSupport

/// Per-queue inflow, outflow and backlog on the committed capture of pika against Debian's RabbitMQ
/// (`Tests/Fixtures/amqp/hot-routing-key.pcap.gz`): four queues bound to the direct exchange
/// `hs.orders` by routing keys that are not their names, three of them drained by a consumer and
/// `q.idle` never consumed. The truth file is what the clients published per routing key and
/// received per queue.
@Suite struct AMQPQueuesTests {
    struct Truth: Decodable {
        let publishes: [String: Int]
        let deliveries: [String: Int]
        let bindings: [String: String]
        let exchange: String
    }
    struct Result: Decodable {
        struct Queue: Decodable {
            struct Source: Decodable {
                let key: String?
                let rule: String
                let publishes: Int
            }
            struct Window: Decodable {
                let inflow: Int?
                let outflow: Int?
                let backlog: Int?
            }
            let key: String?
            let inflow: Int
            let outflow: Int
            let backlog: Int
            let exact: Bool
            let trend: String
            let sources: [Source]
            let windows: [Window]
        }
        let queues: [Queue]?
    }

    /// Keyed by routing key (the default) and by `exchange/routing-key`: the binding finds its
    /// publishes either way.
    @Test(arguments: [false, true]) func perQueueInflowAndOutflowEqualTheClients(exchangeKeys: Bool) throws {
        let truth = try JSONDecoder().decode(
            Truth.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("amqp/hot-routing-key.truth.json"))))
        let directory = try Fixtures.temporaryDirectory("hotshard-amqp-queues").path
        let json = "\(directory)/result.json", html = "\(directory)/result.html"
        let output = try ExternalTool.run(
            TopCommandTests.binary,
            [
                "analyze", Fixtures.path("amqp/hot-routing-key.pcap.gz"), "--port", "amqp=25672",
                "--json", json,
            ] + (exchangeKeys ? ["--amqp-key", "exchange"] : []))
        #expect(output.status == 0, "\(output.stderr)")
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        let queues = try #require(result.queues)
        var byName: [String: Result.Queue] = [:]
        for queue in queues { if let key = queue.key { byName[key] = queue } }
        #expect(Set(byName.keys) == Set(truth.bindings.keys))
        for (queue, routingKey) in truth.bindings {
            let entry = try #require(byName[queue], "\(queue)")
            let published = truth.publishes[routingKey] ?? 0
            let delivered = truth.deliveries[queue] ?? 0
            #expect(entry.inflow == published, "\(queue)")
            #expect(entry.outflow == delivered, "\(queue)")
            #expect(entry.backlog == published - delivered, "\(queue)")
            #expect(entry.exact)
            // Inflow came through the binding seen in the capture (routing key ≠ queue name).
            #expect(
                entry.sources.map { "\($0.key ?? "") \($0.rule)" } == ["\(exchangeKeys ? truth.exchange + "/" : "")\(routingKey) binding"], "\(queue)"
            )
            // Routing keys and queues are different keys: every window splits, and ends at the backlog.
            #expect(entry.windows.allSatisfy { $0.backlog != nil }, "\(queue)")
            #expect(entry.windows.last?.backlog == published - delivered, "\(queue)")
        }
        // q.idle has publishes and no consumer: its backlog is everything published to it and grows.
        let idle = try #require(byName["q.idle"])
        #expect(idle.outflow == 0 && idle.backlog == truth.publishes["orders.idle"])
        #expect(idle.trend == "rising")
        // The drained queues end empty.
        #expect(byName["q.hot"]?.backlog == 0 && byName["q.hot"]?.trend == "falling")
        // The terminal shows the per-queue table, the report its section; both name q.idle's backlog.
        let row = output.stdout.split(separator: "\n").first { $0.hasPrefix("  q.idle ") }
        #expect(row.map { $0.contains(" 40 ") && $0.contains("↑") } == true, "\(row ?? "no q.idle row")")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("id=\"queues\""))
        #expect(page.contains("q.idle"))
    }

    /// `--redact` hides queue names and their routing keys too, and keeps the numbers.
    @Test func redactedQueuesKeepTheirNumbersNotTheirNames() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-amqp-queues-redacted").path
        let json = "\(directory)/result.json", html = "\(directory)/result.html"
        let output = try ExternalTool.run(
            TopCommandTests.binary,
            [
                "analyze", Fixtures.path("amqp/hot-routing-key.pcap.gz"), "--port", "amqp=25672", "--redact",
                "--json", json,
            ])
        #expect(output.status == 0, "\(output.stderr)")
        let text = try String(contentsOfFile: json, encoding: .utf8)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for name in ["q.idle", "orders.idle"] {
            #expect(!text.contains(name) && !page.contains(name), "\(name)")
        }
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(result.queues?.map(\.backlog).sorted() == [0, 0, 0, 40])
    }
}
