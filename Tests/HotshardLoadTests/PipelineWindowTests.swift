import Testing

@testable import HotshardLoad

/// The pipeline window without a server: requests go out while there is room, replies pair with
/// the oldest request, and the oldest request's deadline is what times a connection out.
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
}
