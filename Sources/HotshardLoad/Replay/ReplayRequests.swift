import DequeModule
import HotshardProtocols

/// `replay`'s request source: the reader's requests at the capture's times divided by the speed,
/// at a fixed rate, or as fast as the connections take them. It holds one batch of the queue at a
/// time and takes each request off its front: no per-request lock, and the request is moved out
/// rather than copied (a copy retained its bytes and keys, and the batch released them again).
final class ReplayRequests: RequestSource {
    private let queue: ReplayQueue
    private let timing: ReplayOptions.Timing
    private var batch = Deque<ReplayItem>()
    private var readerFinished = false
    private var taken = 0
    /// Original timing only: requests intended per second, for the progress line's target rate.
    private var perSecond: [Int: Int] = [:]
    private let countsSeconds: Bool

    init(queue: ReplayQueue, timing: ReplayOptions.Timing) {
        self.queue = queue
        self.timing = timing
        if case .original = timing { countsSeconds = true } else { countsSeconds = false }
    }

    /// The next request waiting, taking the queue's next batch when this one is done.
    @inline(__always)
    private func refill() -> Bool {
        if !batch.isEmpty { return true }
        guard !readerFinished else { return false }
        let (next, finished) = queue.take()
        readerFinished = finished
        guard let next else { return false }
        batch = next
        return !batch.isEmpty
    }

    private func intended(captureNanos: Int64, index: Int) -> Int64 {
        switch timing {
        case .original(let speed): Int64((Double(captureNanos) / speed).rounded())
        case .rate(let rate): Int64((Double(index) * 1e9 / rate).rounded())
        case .max: 0
        }
    }

    func nextIntendedNanos() -> Int64? {
        guard refill() else { return nil }
        return intended(captureNanos: batch[0].captureNanos, index: taken)
    }

    func take(intended time: Int64) -> PreparedRequest? {
        guard refill(), let item = batch.popFirst() else { return nil }
        taken += 1
        if countsSeconds {
            let second = Int(max(0, time) / 1_000_000_000)
            perSecond[second, default: 0] += 1
            perSecond.removeValue(forKey: second - 3)
        }
        if let bodySize = item.amqpBodySize {
            var request = item.request
            // A frame the reader checked; should it not be one, it goes as it is and the broker says so.
            request.bytes = AMQPFrameWriter.republish(methodFrame: request.bytes, channel: 1, bodySize: bodySize) ?? request.bytes
            return request
        }
        return item.request
    }

    var isExhausted: Bool { !refill() && readerFinished }

    /// Fixed rate: that rate; otherwise the requests intended in the last whole second.
    func targetRate(at seconds: Double) -> Double? {
        switch timing {
        case .rate(let rate): return rate
        case .max: return nil
        case .original: return Double(perSecond[Int(seconds) - 1] ?? 0)
        }
    }
}
