import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// A real RabbitMQ broker on loopback, real pika publishers (three connections, six channels,
/// publisher confirms on, bodies of 10 B to 100 kB so that frames span segments) and consumers
/// (basic.consume with `multiple` acks, basic.get), captured live on `lo`: the publishes per
/// routing key, the confirms and the deliveries per queue the parser finds are the ones the
/// clients counted (`scripts/test/amqp-truth-client.py` prints them). Skipped, visibly, without root,
/// rabbitmq-server or pika.
@Suite(.serialized) struct AMQPRealBrokerTests {
    static let enabled = RabbitMQBroker.isAvailable && RabbitMQBroker.pikaAvailable

    /// What the capture says: publishes per routing key, confirmed publishes, deliveries per queue.
    static func tally(_ messages: [Message]) -> (publishes: [String: Int], confirms: Int, deliveries: [String: Int]) {
        var publishes: [String: Int] = [:], deliveries: [String: Int] = [:]
        var confirms = 0
        for message in messages where message.wireProtocol == .amqp {
            let key = message.keys.first.map { RealServerKeyTests.text($0.key) } ?? ""
            switch message.command {
            case "basic.publish":
                publishes[key, default: 0] += 1
                if message.status == .ok { confirms += 1 }
            case "basic.deliver", "basic.get-ok":
                deliveries[key, default: 0] += 1
                #expect(message.status == .ok, "every delivery was acked")
            default:
                break
            }
        }
        return (publishes, confirms, deliveries)
    }

    @Test(.enabled(if: enabled, "needs root, rabbitmq-server and python3 pika (make setup): skipped"))
    func publishesAndDeliveriesEqualTheClientsCounts() throws {
        let broker = try RabbitMQBroker()
        // By port (the broker's, given as AMQP), then by content (the same non-default port, not given).
        for protocolName in ["amqp", nil] as [String?] {
            nonisolated(unsafe) var truth: [String: Any] = [:]
            let (messages, health) = try RealServerKeyTests.captured(port: broker.port, protocolName: protocolName) {
                truth = try broker.truthClient(["traffic"])
            }
            let (publishes, confirms, deliveries) = Self.tally(messages)
            let label = protocolName ?? "by content"
            #expect(publishes == truth["publishes"] as? [String: Int], "\(label)")
            #expect(confirms == truth["confirms"] as? Int, "\(label)")
            #expect(deliveries == truth["deliveries"] as? [String: Int], "\(label)")
            #expect(health.parseErrors == 0 && health.unpairedReplies == 0, "\(label): \(health)")
            // Bodies up to 100 kB: the request bytes are the bodies' sizes, 10 B to 100 kB.
            let sizes = Set(messages.filter { $0.command == "basic.publish" }.map(\.requestBytes))
            #expect(sizes == [10, 100, 1000, 20000, 100_000], "\(label)")
        }
    }
}
