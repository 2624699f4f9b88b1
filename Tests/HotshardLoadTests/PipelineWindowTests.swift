import HotshardCapture
import HotshardProtocols
import Testing

@testable import HotshardLoad

/// The pipeline window without a server: requests go out while there is room, replies pair with
/// the oldest request (AMQP confirms: with the publish they name), and the oldest request's
/// deadline is what times a connection out.
struct PipelineWindowTests {
    static func request(_ number: Int, sentAt sent: Int64 = 0) -> InFlightRequest {
        InFlightRequest(
            intendedNanos: Int64(number), sentNanos: sent, measured: true, control: false, command: "GET",
            operation: .read, keys: [], requestBytes: 10)
    }

    /// Depth 4, 10 requests, one reply at a time: four go out at once, then one more per reply,
    /// and the replies answer them in the order they went out.
    @Test func depthFourTenRequests() {
        var window = PipelineWindow(depth: 4)
        var queue = Array(0..<10)
        var actions: [String] = []
        while !queue.isEmpty || !window.isEmpty {
            while window.hasRoom, !queue.isEmpty {
                let number = queue.removeFirst()
                window.sent(Self.request(number))
                actions.append("send \(number)")
            }
            guard case .paired(let answered) = window.reply(command: "GET") else {
                Issue.record("a reply found nothing in flight")
                return
            }
            actions.append("reply \(answered.intendedNanos)")
        }
        #expect(
            actions == [
                "send 0", "send 1", "send 2", "send 3",
                "reply 0", "send 4", "reply 1", "send 5", "reply 2", "send 6", "reply 3", "send 7",
                "reply 4", "send 8", "reply 5", "send 9",
                "reply 6", "reply 7", "reply 8", "reply 9",
            ])
        #expect(window.room == 4)
    }

    @Test func replyWithNothingInFlightIsAnErrorNamingIt() {
        var window = PipelineWindow(depth: 2)
        guard case .unsolicited(let error) = window.reply(command: "MGET") else {
            Issue.record("an empty window paired a reply")
            return
        }
        #expect(error == UnsolicitedReply(command: "MGET"))
        #expect(error.description == "a MGET reply came with no request in flight on its connection")
    }

    /// Sent at 1,000 ns with a 500 ns timeout: the deadline is 1,500; it has not passed at 1,500
    /// and has at 1,501. Once the oldest is answered, the next one's deadline counts.
    @Test func timeoutFiresAfterTheOldestRequestsDeadline() {
        var window = PipelineWindow(depth: 4)
        #expect(!window.timedOut(at: 1_000_000, timeoutNanos: 500))
        window.sent(Self.request(0, sentAt: 1_000))
        window.sent(Self.request(1, sentAt: 1_400))
        #expect(!window.timedOut(at: 1_500, timeoutNanos: 500))
        #expect(window.timedOut(at: 1_501, timeoutNanos: 500))
        _ = window.reply(command: "GET")
        #expect(!window.timedOut(at: 1_900, timeoutNanos: 500))
        #expect(window.timedOut(at: 1_901, timeoutNanos: 500))
    }

    /// Control requests (`HELLO 3`) may pass the depth; the window is "only control" while
    /// nothing measured is outstanding; a closed connection hands back everything, oldest first.
    @Test func controlRequestsAndRemoval() {
        var window = PipelineWindow(depth: 1)
        window.sent(
            InFlightRequest(
                intendedNanos: 0, sentNanos: 0, measured: false, control: true, command: "HELLO", operation: .other,
                keys: [], requestBytes: 18))
        #expect(window.onlyControl)
        window.sent(Self.request(7))
        #expect(!window.onlyControl)
        #expect(window.room == -1)
        #expect(!window.hasRoom)
        var removed: [String] = []
        window.removeAll { removed.append($0.command) }
        #expect(removed == ["HELLO", "GET"])
        #expect(window.isEmpty)
    }

    /// Intended at 0, sent at 5, replied at 7: corrected latency 7 (from the intended send, the
    /// wait in the backlog included), service latency 2 (from the actual send).
    @Test func correctedAndServiceLatency() {
        let request = InFlightRequest(
            intendedNanos: 0, sentNanos: 5, measured: true, control: false, command: "GET", operation: .read, keys: [],
            requestBytes: 10)
        let latency = request.latency(repliedAt: 7)
        #expect(latency.correctedNanos == 7)
        #expect(latency.serviceNanos == 2)
        // A clock read before the send (never negative).
        #expect(request.latency(repliedAt: 3).serviceNanos == 0)
    }

    /// A decoded AMQP publish (its confirm) carrying publish sequence number `sequence`.
    static func confirmed(_ sequence: UInt32) -> Message {
        var message = Message(
            timestampNanos: 0, flow: FlowID(client: Endpoint(ipv4: 1, port: 1), server: Endpoint(ipv4: 2, port: 5672), transport: .tcp),
            wireProtocol: .amqp, command: "basic.publish", operation: .write, keys: [], requestBytes: 10, status: .ok)
        message.publishSequence = sequence
        return message
    }

    /// A sequenced window (AMQP confirms), depth 4, publishes 1-4 in flight (intended at 1…4 ns):
    /// the confirm of 3 pairs with publish 3 and frees one slot while 1 stays the oldest (its
    /// deadline times the connection out); a second confirm of 3, or one of 9, is unsolicited;
    /// once 1 and 2 are confirmed the placeholder of 3 leaves with them. A closed connection hands
    /// back only what is unconfirmed, and the next connection's publishes count from 1 again.
    @Test func sequencedWindowPairsConfirmsWithTheirOwnPublish() {
        var window = PipelineWindow(depth: 4, sequenced: true)
        for number in 1...4 { window.sent(Self.request(number, sentAt: Int64(100 * number))) }
        func pairs(_ sequence: UInt32) -> Int64? {
            guard case .paired(let request) = window.reply(to: Self.confirmed(sequence)) else { return nil }
            return request.intendedNanos
        }
        #expect(pairs(3) == 3)
        #expect(window.count == 3)
        #expect(window.room == 1)
        #expect(window.timedOut(at: 151, timeoutNanos: 50), "publish 1 is still the oldest")
        #expect(pairs(3) == nil, "confirmed once only")
        #expect(pairs(9) == nil, "never sent")
        #expect(pairs(0) == nil, "before the first in flight")
        #expect(!window.onlyControl)
        window.sent(Self.request(5, sentAt: 500))
        #expect(!window.hasRoom)
        #expect(pairs(1) == 1)
        #expect(pairs(2) == 2)
        #expect(window.requests.map(\.intendedNanos) == [4, 5], "the placeholder of 3 left with 2")
        #expect(window.count == 2)
        #expect(!window.timedOut(at: 450, timeoutNanos: 50), "publish 4's deadline counts now")
        #expect(pairs(5) == 5)
        var removed: [Int64] = []
        window.removeAll { removed.append($0.intendedNanos) }
        #expect(removed == [4], "5 was confirmed: not failed again")
        #expect(window.isEmpty && window.count == 0)
        window.sent(Self.request(11))
        #expect(pairs(1) == 11, "a new connection's first publish is number 1")
    }

    /// A window that is not sequenced pairs in order whatever the message carries (RESP, memcached,
    /// HTTP, AMQP without confirms).
    @Test func inOrderWindowIgnoresSequenceNumbers() {
        var window = PipelineWindow(depth: 2)
        window.sent(Self.request(1))
        window.sent(Self.request(2))
        guard case .paired(let first) = window.reply(to: Self.confirmed(2)) else {
            Issue.record("nothing paired")
            return
        }
        #expect(first.intendedNanos == 1)
        #expect(window.count == 1)
    }

    /// The out-of-order flag lives in `InFlightRequest`'s padding and the sequence number in
    /// `Message`'s: neither grows for the protocols that answer in order.
    @Test func sequencingAddsNoBytes() {
        #expect(MemoryLayout<InFlightRequest>.stride <= 152)
        #expect(MemoryLayout<Message>.stride <= 232)
    }

    @Test func shiftMovesBothTimes() {
        var window = PipelineWindow(depth: 2)
        window.sent(
            InFlightRequest(
                intendedNanos: 100, sentNanos: 120, measured: true, control: false, command: "GET", operation: .read,
                keys: [], requestBytes: 1))
        window.shift(by: 100)
        #expect(window.requests.first?.intendedNanos == 0)
        #expect(window.requests.first?.sentNanos == 20)
    }

    /// Publisher confirms across the wrap of the 32-bit sequence (a channel's 2^32nd publish is
    /// confirmed with delivery tag 2^32, whose low 32 bits `Message` carries as 0): publishes
    /// 2^32−2, 2^32−1, 2^32 and 2^32+1 are confirmed out of order (tags 0, 2^32−2, 1, 2^32−1
    /// by their low bits) and each pairs with its own publish; a second confirm of a settled one,
    /// and one of a publish not yet sent, pair with nothing.
    @Test func confirmsPairAcrossTheSequenceWrap() {
        var window = PipelineWindow(depth: 4, sequenced: true, firstSequence: UInt32.max - 1)
        for number in 0..<4 { window.sent(Self.request(number)) }
        var paired: [Int64] = []
        for sequence: UInt32 in [0, UInt32.max - 1, 1, UInt32.max] {
            guard case .paired(let request) = window.reply(sequence: sequence, command: "basic.ack") else {
                Issue.record("the confirm of \(sequence) paired with nothing")
                continue
            }
            paired.append(request.intendedNanos)
        }
        #expect(paired == [2, 0, 3, 1])
        #expect(window.isEmpty)
        guard case .unsolicited = window.reply(sequence: 1, command: "basic.ack") else {
            Issue.record("a second confirm of publish 2^32+1 paired")
            return
        }
        window.sent(Self.request(4))
        guard case .unsolicited = window.reply(sequence: 3, command: "basic.ack") else {
            Issue.record("the confirm of a publish not yet sent paired")
            return
        }
        guard case .paired(let next) = window.reply(sequence: 2, command: "basic.ack") else {
            Issue.record("the confirm of publish 2^32+2 paired with nothing")
            return
        }
        #expect(next.intendedNanos == 4)
    }
}
