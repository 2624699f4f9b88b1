import Foundation
import Testing
import HotshardTestSupport

/// The planner end to end on a real capture where one routing key takes most of the publishes:
/// `Tests/Fixtures/amqp/hot-routing-key.pcap.gz`, made by `scripts/generate/amqp-hot-key-capture.sh`
/// (pika against Debian's RabbitMQ, captured on lo; its truth file is what the client sent and
/// received). At `--queue-capacity 200` the queue carrying `orders.hot` is over its capacity at the
/// peak, and the remedy names that key in a queue's words (msg/s, queue), never a cache's.
@Suite struct AMQPPlannerTests {
    struct Truth: Decodable {
        let publishes: [String: Int]
        let deliveries: [String: Int]
    }
    struct Result: Decodable {
        struct HotKey: Decodable {
            let key: String?
            let count: Int
            let reads: Int
            let writes: Int
            let hits: Int
            let peakRatePerSecond: Double
        }
        struct Model: Decodable {
            struct Recommendation: Decodable {
                let kind: String
                let key: String?
                let factor: Double?
                let detail: String
            }
            struct SizedOn: Decodable { let windowStart: Double }
            let recommendations: [Recommendation]
            let sizedOn: SizedOn?
        }
        let hotKeys: [HotKey]
        let model: Model?
    }

    @Test func hotRoutingKeyOverflowsItsQueueAtThePeakAndIsNamed() throws {
        let truth = try JSONDecoder().decode(
            Truth.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("amqp/hot-routing-key.truth.json"))))
        let directory = try Fixtures.temporaryDirectory("hotshard-amqp-plan").path
        let json = "\(directory)/result.json"
        let output = try ExternalTool.run(
            TopCommandTests.binary,
            [
                "analyze", Fixtures.path("amqp/hot-routing-key.pcap.gz"), "--port", "amqp=25672", "--queue-capacity", "200",
                "--current-nodes", "4", "--json", json, "--no-html",
            ])
        #expect(output.status == 0, "\(output.stderr)")
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        var keys: [String: Result.HotKey] = [:]
        for entry in result.hotKeys { if let key = entry.key { keys[key] = entry } }
        // The capture's counts are the client's: publishes per routing key, deliveries per queue.
        for (routingKey, count) in truth.publishes { #expect(keys[routingKey]?.writes == count, "\(routingKey)") }
        for (queue, count) in truth.deliveries { #expect(keys[queue]?.reads == count, "\(queue)") }
        let hot = try #require(keys["orders.hot"])
        #expect(hot.count == truth.publishes["orders.hot"])
        // The burst of 400 publishes puts orders.hot over one queue's 200 msg/s at its busiest second.
        #expect(hot.peakRatePerSecond > 200)
        let model = try #require(result.model)
        let remedies = model.recommendations.filter { $0.kind == "split" }
        #expect(remedies.map(\.key) == ["orders.hot"], "only the hot routing key needs a remedy")
        // ⌈peak ÷ (0.7 × 200)⌉ routing keys, each on its own queue.
        let factor = (hot.peakRatePerSecond / 140).rounded(.up)
        #expect(remedies.first?.factor == factor)
        let detail = remedies.first?.detail ?? ""
        #expect(detail.contains("msg/s") && detail.contains("queue"), "\(detail)")
        #expect(!detail.contains("ops/s") && !detail.contains("node"), "\(detail)")
        #expect(detail.contains("\(Int((hot.peakRatePerSecond / 200 * 100).rounded()))%"), "its queue's share before: \(detail)")
        // Sized on the publishes' busiest window (the burst, between 1 s and 3 s), not the consumers' drain after it.
        let start = try #require(model.sizedOn?.windowStart)
        #expect(start >= 0.5 && start < 3.5)
        // Queue results are not cache results: acknowledged deliveries are not shown as hits.
        let row = output.stdout.split(separator: "\n").first { $0.contains(" q.hot ") }
        #expect(row.map { !$0.contains("100.0") } == true, "\(row ?? "no q.hot row")")
    }
}
