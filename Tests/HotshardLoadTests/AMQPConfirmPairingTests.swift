import HotshardBytes
import HotshardCapture
import HotshardProtocols
import Testing

@testable import HotshardLoad

/// AMQP publisher confirms out of order, without a broker: a connection's decoder is fed the
/// handshake and eight publishes as the load worker feeds them, then basic.ack / basic.nack frames
/// written by hand from the AMQP 0-9-1 frame layout, for the publishes in a permuted order; each
/// decoded message is paired through the connection's window as `LoadWorker.complete` pairs it.
/// RabbitMQ may confirm publish 5 before publish 3: paired by arrival, publish 5's confirm would
/// be measured from publish 3's send and carry publish 3's request.
struct AMQPConfirmPairingTests {
    /// A broker's confirm on channel 1: frame type 1, channel, payload size 13, class 60, method 80
    /// (ack) or 120 (nack), delivery tag (u64, big-endian), bits (`multiple` in bit 0), frame end 0xCE.
    static func confirm(tag: UInt64, multiple: Bool = false, nack: Bool = false) -> [UInt8] {
        var frame: [UInt8] = [1, 0, 1, 0, 0, 0, 13, 0, 60, 0, nack ? 120 : 80]
        for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: tag >> UInt64(shift))) }
        frame += [multiple ? 1 : 0, 0xCE]
        return frame
    }

    /// confirm.select-ok on channel 1: class 85, method 11, no arguments.
    static let selectOK: [UInt8] = [1, 0, 1, 0, 0, 0, 4, 0, 85, 0, 11, 0xCE]

    /// Publish n (1…8) is written at 1,000·n ns, intended 300·n ns before that (its wait in the
    /// backlog), with routing key `rk.n`. The confirms come in five reads: acks of 3 and 1 together
    /// at 20,000 ns, then 5 at 22,000, 2 at 23,000, a nack of 8 at 24,000, and at 25,000 one ack
    /// with `multiple` up to 7 (settling 4, 6 and 7). Each publish's service latency is its
    /// confirm's time minus its own send time, its corrected latency the confirm's time minus its
    /// own intended time, and its message and in-flight request both name `rk.n`.
    @Test func outOfOrderConfirmsPairWithTheirOwnPublish() {
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 40_000), server: Endpoint(ipv4: 0x7f00_0001, port: 5672),
            transport: .tcp)
        var decoder = ReplyDecoder(wireProtocol: .amqp, flow: flow)
        var window = PipelineWindow(depth: 8, sequenced: true)
        // The handshake as AMQPHandshakeHandler's transcript gives it to a new connection's decoder.
        var hello = AMQPFrameWriter.protocolHeader
        hello += AMQPFrameWriter.startOK(user: "guest", password: "guest")
        hello += AMQPFrameWriter.tuneOK(channelMax: 2_047, frameMax: UInt32(AMQPFrameWriter.frameMax))
        hello += AMQPFrameWriter.connectionOpen(virtualHost: "/")
        hello += AMQPFrameWriter.channelOpen(1)
        hello += AMQPFrameWriter.confirmSelect(1)
        hello.withByteView { decoder.sent($0, atNanos: 0) }
        Self.selectOK.withByteView { _ = decoder.received($0, atNanos: 0) { _ in } }

        func sentNanos(_ n: Int) -> Int64 { Int64(1_000 * n) }
        func intendedNanos(_ n: Int) -> Int64 { sentNanos(n) - Int64(300 * n) }
        for n in 1...8 {
            var bytes: [UInt8] = []
            Array("rk.\(n)".utf8).withByteView { key in
                AMQPFrameWriter.publish(channel: 1, exchange: Array("hs.load".utf8), routingKey: key, bodySize: 10, into: &bytes)
            }
            window.sent(
                InFlightRequest(
                    intendedNanos: intendedNanos(n), sentNanos: sentNanos(n), measured: true, control: false,
                    command: "basic.publish", operation: .write, keys: KeyList([KeyReference(key: Key("rk.\(n)"))]),
                    requestBytes: bytes.count))
            var early = 0
            bytes.withByteView { decoder.sent($0, atNanos: sentNanos(n)) { _ in early += 1 } }
            #expect(early == 0, "a confirmed publish waits for its confirm")
        }
        #expect(window.count == 8)

        let reads: [(frames: [UInt8], atNanos: Int64, inFlightAfter: Int)] = [
            (Self.confirm(tag: 3) + Self.confirm(tag: 1), 20_000, 6),
            (Self.confirm(tag: 5), 22_000, 5),
            (Self.confirm(tag: 2), 23_000, 4),
            (Self.confirm(tag: 8, nack: true), 24_000, 3),
            (Self.confirm(tag: 7, multiple: true), 25_000, 0),
        ]
        struct Outcome: Equatable {
            var publish: Int
            var messageKey: String?
            var requestKey: String?
            var serviceNanos: Int64
            var correctedNanos: Int64
            var nack: Bool
        }
        var outcomes: [Outcome] = []
        for read in reads {
            let parsed = read.frames.withByteView { bytes in
                decoder.received(bytes, atNanos: read.atNanos) { message in
                    guard case .paired(let request) = window.reply(to: message) else {
                        Issue.record("confirm of publish \(message.publishSequence) paired with nothing")
                        return
                    }
                    let latency = request.latency(repliedAt: read.atNanos)
                    outcomes.append(
                        Outcome(
                            publish: Int(message.publishSequence), messageKey: message.keys.first?.key.utf8Text,
                            requestKey: request.keys.first?.key.utf8Text, serviceNanos: latency.serviceNanos,
                            correctedNanos: latency.correctedNanos, nack: message.status == .error(kind: "nack")))
                }
            }
            #expect(parsed)
            #expect(window.count == read.inFlightAfter, "in flight after the confirms read at \(read.atNanos) ns")
        }
        #expect(window.isEmpty)

        let confirmedAt: [Int: Int64] = [1: 20_000, 2: 23_000, 3: 20_000, 4: 25_000, 5: 22_000, 6: 25_000, 7: 25_000, 8: 24_000]
        let expected = [3, 1, 5, 2, 8, 4, 6, 7].map { n in
            let confirmed = confirmedAt[n] ?? 0
            return Outcome(
                publish: n, messageKey: "rk.\(n)", requestKey: "rk.\(n)", serviceNanos: confirmed - sentNanos(n),
                correctedNanos: confirmed - intendedNanos(n), nack: n == 8)
        }
        #expect(outcomes == expected)
        #expect(decoder.health.unpairedReplies == 0)
        #expect(decoder.health.parseErrors == 0)
    }
}
