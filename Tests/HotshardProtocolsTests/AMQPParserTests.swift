import HotshardBytes
import HotshardCapture
import Testing

@testable import HotshardProtocols

/// The AMQP 0-9-1 parser on conversations written from the specification (`AMQPWire`): each test
/// knows the messages it encoded, and every split of the bytes into segments gives the same ones.
@Suite struct AMQPParserTests {
    static let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: 40_003),
        server: Endpoint(ipv4: 0x7f00_0001, port: 5672), transport: .tcp)

    /// Feeds the client bytes cut at `clientSplit`, then the server bytes cut at `serverSplit`.
    static func run(
        client: [UInt8], server: [UInt8], clientSplit: Int? = nil, serverSplit: Int? = nil,
        configuration: DecoderConfiguration = DecoderConfiguration()
    ) -> ([Message], ParserHealth) {
        var parser = AMQPParser(flow: flow, configuration: configuration)
        var messages: [Message] = []
        var time: Int64 = 1_000
        for (direction, bytes, split) in [
            (FlowDirection.clientToServer, client, clientSplit),
            (.serverToClient, server, serverSplit),
        ] {
            let cut = min(split ?? bytes.count, bytes.count)
            for piece in [Array(bytes[..<cut]), Array(bytes[cut...])] where !piece.isEmpty {
                time += 1_000
                piece.withByteView { parser.feed(direction, timestampNanos: time, bytes: $0) { messages.append($0) } }
            }
        }
        parser.finish(timestampNanos: time + 1) { messages.append($0) }
        return (messages, parser.health)
    }

    /// A publisher with confirms: three publishes (bodies 0, 5 and 300 bytes, the last in two body
    /// frames), confirmed by one `multiple` ack for the first two and a nack for the third.
    static func publisher() -> (client: [UInt8], server: [UInt8]) {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.method(channel: 1, 20, 10, [0])  // channel.open
        client.method(channel: 1, 85, 10, [0])  // confirm.select
        client.publish(channel: 1, exchange: "orders", routingKey: "user.hot", bodySize: 0)
        client.publish(channel: 1, exchange: "orders", routingKey: "user.2", bodySize: 5)
        client.publish(channel: 1, exchange: "orders", routingKey: "user.hot", bodySize: 300, frameMax: 200)
        client.frame(type: 8, channel: 0, [])  // heartbeat
        var server = AMQPWire()
        server.method(channel: 1, 20, 11, AMQPWire.long(0))  // channel.open-ok
        server.method(channel: 1, 85, 11, [])  // confirm.select-ok
        server.ack(channel: 1, tag: 2, multiple: true)
        server.ack(channel: 1, tag: 3, multiple: false, method: 120)
        return (client.bytes, server.bytes)
    }

    @Test func publishesWithConfirmsAtEverySplit() {
        let (client, server) = Self.publisher()
        for split in 0...client.count {
            let (messages, health) = Self.run(client: client, server: server, clientSplit: split, serverSplit: split % server.count)
            #expect(messages.map(\.command) == ["confirm.select", "basic.publish", "basic.publish", "basic.publish"], "split \(split)")
            let publishes = messages.filter { $0.command == "basic.publish" }
            #expect(publishes.map { $0.keys.first?.key.escaped } == ["user.hot", "user.2", "user.hot"], "split \(split)")
            #expect(publishes.map(\.requestBytes) == [0, 5, 300])
            #expect(publishes.map(\.operation) == [.write, .write, .write])
            #expect(publishes.map(\.status) == [.ok, .ok, .error(kind: "nack")])
            // Numbered 1, 2, 3 on the channel after confirm.select, as the broker's delivery tags.
            #expect(publishes.map(\.publishSequence) == [1, 2, 3])
            #expect(publishes.allSatisfy { ($0.latencyNanos ?? -1) >= 0 })
            #expect(health == ParserHealth(), "split \(split)")
        }
    }

    @Test func exchangeAndRoutingKeyMode() {
        var configuration = DecoderConfiguration()
        configuration.amqpKey = .exchangeAndRoutingKey
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.publish(channel: 1, exchange: "orders", routingKey: "user.1", bodySize: 1)
        client.publish(channel: 1, exchange: "", routingKey: "q.c", bodySize: 1)
        let (messages, _) = Self.run(client: client.bytes, server: [], configuration: configuration)
        #expect(messages.map { $0.keys.first?.key.escaped } == ["orders/user.1", "q.c"])
        #expect(messages.map(\.status) == [.noReply, .noReply])  // no confirm mode: nothing to wait for
        #expect(messages.map(\.publishSequence) == [0, 0])
    }

    /// A consumer started with a server-named tag: deliveries are keyed by the queue, settled by
    /// a `multiple` ack, a reject and a nack; a no-ack consumer's deliveries need no reply.
    @Test func deliveriesKeyedByQueueAndSettledByAcks() {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.method(channel: 1, 60, 20, AMQPWire.short(0) + AMQPWire.shortString("q.a") + AMQPWire.shortString("") + [0] + AMQPWire.long(0))
        client.method(channel: 2, 60, 20, AMQPWire.short(0) + AMQPWire.shortString("q.b") + AMQPWire.shortString("mine") + [0x02] + AMQPWire.long(0))
        var server = AMQPWire()
        server.method(channel: 1, 60, 21, AMQPWire.shortString("amq.ctag-1"))
        server.method(channel: 2, 60, 21, AMQPWire.shortString("mine"))
        for tag in 1...4 as ClosedRange<UInt64> {
            server.deliver(
                channel: 1, consumerTag: "amq.ctag-1", deliveryTag: tag, exchange: "orders", routingKey: "user.hot", bodySize: 10 * Int(tag))
        }
        server.deliver(channel: 2, consumerTag: "mine", deliveryTag: 1, exchange: "", routingKey: "q.b", bodySize: 7)
        // Acks come after the deliveries: fed in a second client round.
        var acks = AMQPWire()
        acks.ack(channel: 1, tag: 2, multiple: true)
        acks.method(channel: 1, 60, 90, AMQPWire.longLong(3) + [0])  // basic.reject
        acks.ack(channel: 1, tag: 4, multiple: false, method: 120)
        var parser = AMQPParser(flow: Self.flow)
        var messages: [Message] = []
        for (direction, bytes) in [(FlowDirection.clientToServer, client.bytes), (.serverToClient, server.bytes), (.clientToServer, acks.bytes)] {
            for byte in bytes {  // one byte per segment
                [byte].withByteView { parser.feed(direction, timestampNanos: 5, bytes: $0) { messages.append($0) } }
            }
        }
        parser.finish(timestampNanos: 9) { messages.append($0) }
        let deliveries = messages.filter { $0.command == "basic.deliver" }
        #expect(deliveries.map { $0.keys.first?.key.escaped } == ["q.b", "q.a", "q.a", "q.a", "q.a"])
        #expect(deliveries.map(\.status) == [.noReply, .ok, .ok, .error(kind: "reject"), .error(kind: "nack")])
        #expect(deliveries.map(\.requestBytes) == [7, 10, 20, 30, 40])
        #expect(deliveries.allSatisfy { $0.operation == .read })
        #expect(messages.filter { $0.command == "basic.consume" }.map(\.status) == [.ok, .ok])
        #expect(parser.health == ParserHealth())
    }

    @Test func getOkKeyedByTheQueueBasicGetNamed() {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.method(channel: 1, 60, 70, AMQPWire.short(0) + AMQPWire.shortString("q.c") + [0])
        var server = AMQPWire()
        server.method(channel: 1, 60, 71, AMQPWire.longLong(1) + [0] + AMQPWire.shortString("x") + AMQPWire.shortString("rk") + AMQPWire.long(0))
        server.content(channel: 1, bodySize: 3)
        let (messages, health) = Self.run(client: client.bytes, server: server.bytes)
        #expect(messages.map(\.command) == ["basic.get-ok"])
        #expect(messages.first?.keys.first?.key.escaped == "q.c")
        #expect(messages.first?.status == .noReply)  // never acked before the end
        #expect(health.unansweredRequests == 1)
    }

    /// A frame with a wrong frame-end octet and a run of garbage: each is one counted error, and the
    /// frames after them still parse.
    @Test func badFramesAreCountedAndSkipped() {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.publish(channel: 1, exchange: "", routingKey: "before", bodySize: 4)
        client.frame(type: 1, channel: 1, [0, 60, 0, 40, 1, 2, 3], end: 0x00)  // bad frame end
        client.bytes += [0x55, 0x66, 0x77]
        client.bytes += [0xCE]  // the garbage ends on a frame-end octet: resync point
        client.publish(channel: 1, exchange: "", routingKey: "after", bodySize: 4)
        client.bytes += [9, 9, 9, 9, 9, 9, 9, 0xCE]  // an impossible frame type
        client.publish(channel: 1, exchange: "", routingKey: "last", bodySize: 4)
        let (messages, health) = Self.run(client: client.bytes, server: [])
        #expect(messages.map { $0.keys.first?.key.escaped } == ["before", "after", "last"])
        #expect(health.parseErrors == 2)
        #expect(health.resyncs == 2)
    }

    /// Lengths from the wire that lie: a short string longer than its frame, a body larger than
    /// its header said, a frame size over the cap. Counted, never trusted.
    @Test func lyingLengthsAreCounted() {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.method(channel: 1, 60, 40, AMQPWire.short(0) + [200, 0x61])  // exchange says 200 bytes
        client.method(channel: 1, 60, 40, AMQPWire.short(0) + AMQPWire.shortString("") + AMQPWire.shortString("k") + [0])
        client.content(channel: 1, bodySize: 2)
        client.frame(type: 3, channel: 1, [1, 2, 3])  // body after the message was whole
        client.bytes += [1, 0, 1, 0x7f, 0xff, 0xff, 0xff]  // a 2 GiB frame
        let (messages, health) = Self.run(client: client.bytes, server: [])
        #expect(messages.map { $0.keys.first?.key.escaped } == ["k"])
        #expect(health.parseErrors == 2)
        #expect(health.skippedBytes >= 3)
    }

    @Test func detectedByItsProtocolHeader() {
        AMQPWire.protocolHeader.withByteView { #expect(ProtocolDetector.detect($0) == .amqp) }
        #expect(DecoderConfiguration().ports[5672] == .amqp)
        var configuration = DecoderConfiguration()
        #expect(throws: Never.self) { try configuration.addPortOption("amqp=15672") }
        #expect(configuration.ports[15672] == .amqp)
    }

    /// `queue.bind` names its binding as three keys (queue, exchange, routing key), answered by
    /// `bind-ok`, at every split.
    @Test func queueBindNamesItsBinding() {
        var client = AMQPWire(bytes: AMQPWire.protocolHeader)
        client.method(channel: 1, 20, 10, [0])  // channel.open
        client.method(
            channel: 1, 50, 20,
            AMQPWire.short(0) + AMQPWire.shortString("q.orders") + AMQPWire.shortString("hs.orders")
                + AMQPWire.shortString("orders.eu") + [0] + AMQPWire.long(0))
        var server = AMQPWire()
        server.method(channel: 1, 20, 11, AMQPWire.long(0))  // channel.open-ok
        server.method(channel: 1, 50, 21, [])  // queue.bind-ok
        for split in 0...client.bytes.count {
            let (messages, health) = Self.run(client: client.bytes, server: server.bytes, clientSplit: split)
            #expect(messages.map(\.command) == ["queue.bind"], "split \(split)")
            #expect(messages.first?.keys.map(\.key.escaped) == ["q.orders", "hs.orders", "orders.eu"], "split \(split)")
            #expect(messages.first?.operation == .other && messages.first?.status == .ok)
            #expect(health.parseErrors == 0)
        }
    }
}
