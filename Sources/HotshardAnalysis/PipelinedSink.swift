import HotshardConcurrency
import HotshardProtocols

/// Runs a message sink on a thread of its own: messages are handed over in batches through a
/// bounded queue, so that reading and parsing (the caller's thread) and analysis (this one) use
/// both cores. Order is kept. `finish()` delivers what is left and waits for the sink to drain;
/// the sink must not be touched from elsewhere until then (but see `withDrained`).
///
/// `@unchecked Sendable`: the downstream sink is handed to the worker thread at `init` and back
/// at `finish()` (the join orders it) or inside `withDrained` (the worker waits on the monitor),
/// and `batch` belongs to the caller's thread alone; every other shared field is in the `Monitor`.
public final class PipelinedSink<Downstream: MessageSink & SendableMetatype>: MessageSink, @unchecked Sendable {
    private struct Queue {
        var batches: [[Message]] = []
        /// Drained batches, emptied, handed back for reuse: a fresh 2,048-message array per batch
        /// (about half a megabyte) meant fresh pages from the kernel, zeroed, every time.
        var spare: [[Message]] = []
        var closed = false
        /// The sink is receiving a batch outside the lock (so `withDrained` waits for it too).
        var busy = false
    }

    private let downstream: Downstream
    private let batchSize: Int
    // Unchecked: only the caller's thread touches it, and no access to it spans a call that could
    // come back here; the dynamic check of each append was ~0.6 % of `analyze`'s samples.
    @exclusivity(unchecked) private var batch: [Message] = []
    private let queue = Monitor(Queue())
    private let maxQueued: Int
    private var worker: WorkerThread?

    /// At most `maxQueuedBatches` × `batchSize` messages wait between the threads.
    public init(_ downstream: Downstream, batchSize: Int = 2_048, maxQueuedBatches: Int = 8) {
        self.downstream = downstream
        self.batchSize = batchSize
        self.maxQueued = maxQueuedBatches
        batch.reserveCapacity(batchSize)
        worker = WorkerThread(name: "hotshard-analysis") { [self] in drain() }
    }

    public func receive(_ message: Message) {
        batch.append(message)
        if batch.count >= batchSize { handOver() }
    }

    /// Delivers the last batch and returns once the downstream sink has received everything.
    public func finish() {
        handOver()
        queue.update { $0.closed = true }
        worker?.join()
    }

    /// Hands over what is queued, waits until the sink has received all of it, then runs `body`
    /// on the sink from the caller's thread while the drain thread waits: a consistent look at the
    /// sink in the middle of a run (a live capture's metrics, `top`) without closing the pipeline.
    public func withDrained<T>(_ body: (Downstream) -> T) -> T {
        handOver()
        let downstream = self.downstream
        return queue.wait(until: { $0.batches.isEmpty && !$0.busy }) { _ in body(downstream) }
    }

    private func handOver() {
        guard !batch.isEmpty else { return }
        let full = batch
        batch = []
        let maxQueued = self.maxQueued
        let reused = queue.wait(until: { $0.batches.count < maxQueued }) { queue in
            queue.batches.append(full)
            return queue.spare.popLast()
        }
        if let reused {
            batch = reused
        } else {
            batch.reserveCapacity(batchSize)
        }
    }

    private func drain() {
        while true {
            let taken: [Message]? = queue.wait(until: { !$0.batches.isEmpty || $0.closed }) { queue in
                guard !queue.batches.isEmpty else { return nil }
                queue.busy = true
                return queue.batches.removeFirst()
            }
            guard var next = taken else { return }
            downstream.receive(contentsOf: next)
            next.removeAll(keepingCapacity: true)
            let maxQueued = self.maxQueued
            queue.update { queue in
                queue.busy = false
                if queue.spare.count < maxQueued { queue.spare.append(next) }
            }
        }
    }
}
