import DequeModule
import HotshardConcurrency

/// The hand-over from the reader thread to the event loop, in batches: the reader blocks while
/// `capacity` requests wait (so a capture of any size streams through bounded memory), the worker
/// never blocks and takes one batch at a time (one lock per batch, not per request, and never more
/// than one batch held on the worker's side).
final class ReplayQueue: Sendable {
    private struct State {
        var batches = Deque<Deque<ReplayItem>>()
        /// Requests in `batches`, and the most there ever were.
        var queued = 0
        var peakQueued = 0
        var finished = false
        var cancelled = false
    }

    private let state = Monitor(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Reader side: waits while the batch would take the queue past `capacity` (a batch larger than
    /// the capacity goes alone, into an empty queue), and once it has waited, until the queue is down
    /// to `resumeLevel`. False when the consumer cancelled (stop reading).
    func put(_ batch: Deque<ReplayItem>) -> Bool {
        let count = batch.count
        let (capacity, resumeLevel) = (capacity, resumeLevel)
        var waited = false
        return state.wait(
            until: { state in
                if state.queued == 0 || state.cancelled { return true }
                if state.queued + count <= capacity, !waited || state.queued <= resumeLevel { return true }
                waited = true
                return false
            }
        ) { state in
            if state.cancelled { return false }
            state.batches.append(batch)
            state.queued += count
            state.peakQueued = max(state.peakQueued, state.queued)
            return true
        }
    }

    /// A reader that found the queue full goes on once the queue holds this many requests or fewer:
    /// it then reads in long stretches. Woken each time the worker took a batch, it ran a batch at a
    /// time, and each of its ~8,000 wake-ups in a 2 M-request replay could preempt the worker or the
    /// server on a 2-core machine.
    private var resumeLevel: Int { capacity / 2 }

    /// Reader side: nothing more will come.
    func finish() {
        state.withLock { $0.finished = true }
    }

    /// Worker side: the oldest batch waiting (nil when none is), and whether the reader has
    /// finished and nothing is left.
    func take() -> (batch: Deque<ReplayItem>?, finished: Bool) {
        let resumeLevel = resumeLevel
        return state.update(wakingIf: { $0.queued <= resumeLevel }) { state in
            guard let batch = state.batches.popFirst() else { return (nil, state.finished) }
            state.queued -= batch.count
            return (batch, false)
        }
    }

    /// The most requests that waited at once (never above `capacity`, or one batch).
    var peakQueued: Int {
        state.withLock { $0.peakQueued }
    }

    /// Whether a request is waiting or the reader has finished: the replay's schedule starts then,
    /// so that reading the capture's start (and the reorder window) is not taken as lateness.
    var isReady: Bool {
        state.withLock { !$0.batches.isEmpty || $0.finished || $0.cancelled }
    }

    /// Worker side: stop the reader (it returns from `put` with false).
    func cancel() {
        state.update { state in
            state.cancelled = true
            state.batches.removeAll()
            state.queued = 0
        }
    }
}
