import DequeModule
import HotshardConcurrency

/// One request on its way from the capture reader to the replay worker, with its time in the
/// capture (ns from the first replayed request, later passes of `--loop` shifted on).
struct ReplayItem: Sendable {
    var captureNanos: Int64
    var request: PreparedRequest
    /// AMQP: `request` is a basic.publish method frame, to be sent on channel 1 with content of this
    /// many bytes (made at send time, so that waiting requests do not hold their bodies).
    var amqpBodySize: Int? = nil
}

/// The hand-over from the reader thread to the event loop: the reader blocks while `capacity`
/// requests wait (so a capture of any size streams through bounded memory); the worker never
/// blocks and takes everything waiting at once (one lock per batch, not per request).
final class ReplayQueue: Sendable {
    private struct State {
        var items = Deque<ReplayItem>()
        var finished = false
        var cancelled = false
    }

    private let state = Monitor(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Reader side: false when the consumer cancelled (stop reading).
    func put(_ batch: [ReplayItem]) -> Bool {
        let capacity = self.capacity
        return state.wait(until: { $0.items.count < capacity || $0.cancelled }) { state in
            if state.cancelled { return false }
            state.items.append(contentsOf: batch)
            return true
        }
    }

    /// Reader side: nothing more will come.
    func finish() {
        state.withLock { $0.finished = true }
    }

    /// Worker side: everything waiting, and whether the reader has finished.
    func takeAll() -> (items: Deque<ReplayItem>, finished: Bool) {
        state.update { state in
            let taken = state.items
            state.items = Deque()
            return (taken, state.finished && taken.isEmpty)
        }
    }

    /// Whether a request is waiting or the reader has finished: the replay's schedule starts then,
    /// so that reading the capture's start (and the reorder window) is not taken as lateness.
    var isReady: Bool {
        state.withLock { !$0.items.isEmpty || $0.finished || $0.cancelled }
    }

    /// Worker side: stop the reader (it returns from `put` with false).
    func cancel() {
        state.update { state in
            state.cancelled = true
            state.items.removeAll()
        }
    }
}

/// `replay`'s request source: the reader's requests at the capture's times divided by the speed,
/// at a fixed rate, or as fast as the connections take them.
final class ReplayRequests: RequestSource {
    private let queue: ReplayQueue
    private let timing: ReplayOptions.Timing
    private var local = Deque<ReplayItem>()
    private var readerFinished = false
    private var taken = 0
    private var lastTaken = 0
    private var perSecond: [Int: Int] = [:]

    init(queue: ReplayQueue, timing: ReplayOptions.Timing) {
        self.queue = queue
        self.timing = timing
    }

    private func refill() {
        guard local.isEmpty, !readerFinished else { return }
        let (items, finished) = queue.takeAll()
        local = items
        readerFinished = finished
    }

    private func intended(_ item: ReplayItem, index: Int) -> Int64 {
        switch timing {
        case .original(let speed): Int64((Double(item.captureNanos) / speed).rounded())
        case .rate(let rate): Int64((Double(index) * 1e9 / rate).rounded())
        case .max: 0
        }
    }

    func nextIntendedNanos() -> Int64? {
        refill()
        guard let first = local.first else { return nil }
        return intended(first, index: taken)
    }

    func take(intended time: Int64) -> PreparedRequest? {
        refill()
        guard let item = local.popFirst() else { return nil }
        taken += 1
        let second = Int(max(0, time) / 1_000_000_000)
        perSecond[second, default: 0] += 1
        perSecond.removeValue(forKey: second - 3)
        if let bodySize = item.amqpBodySize {
            var request = item.request
            // A frame the reader checked; should it not be one, it goes as it is and the broker says so.
            request.bytes = AMQPFrameWriter.republish(methodFrame: request.bytes, channel: 1, bodySize: bodySize) ?? request.bytes
            return request
        }
        return item.request
    }

    var isExhausted: Bool {
        refill()
        return local.isEmpty && readerFinished
    }

    /// Fixed rate: that rate; otherwise the requests intended in the last whole second.
    func targetRate(at seconds: Double) -> Double? {
        switch timing {
        case .rate(let rate): return rate
        case .max: return nil
        case .original: return Double(perSecond[Int(seconds) - 1] ?? 0)
        }
    }
}
