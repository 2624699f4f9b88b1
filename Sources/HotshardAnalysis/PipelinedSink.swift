import Foundation
import HotshardProtocols

/// Runs a message sink on a thread of its own: messages are handed over in batches through a
/// bounded queue, so that reading and parsing (the caller's thread) and analysis (this one) use
/// both cores. Order is kept. `finish()` delivers what is left and waits for the sink to drain;
/// the sink must not be touched from elsewhere until then.
public final class PipelinedSink<Downstream: MessageSink & SendableMetatype>: MessageSink, @unchecked Sendable {
    private let downstream: Downstream
    private let batchSize: Int
    private var batch: [Message] = []
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [[Message]] = []
    /// Drained batches, emptied, handed back for reuse: a fresh 2,048-message array per batch
    /// (about half a megabyte) meant fresh pages from the kernel, zeroed, every time.
    private var spare: [[Message]] = []
    private var closed = false
    /// The sink is receiving a batch outside the lock (so a barrier waits for it too).
    private var busy = false
    private let maxQueued: Int
    private let done = DispatchSemaphore(value: 0)

    /// At most `maxQueuedBatches` × `batchSize` messages wait between the threads.
    public init(_ downstream: Downstream, batchSize: Int = 2_048, maxQueuedBatches: Int = 8) {
        self.downstream = downstream
        self.batchSize = batchSize
        self.maxQueued = maxQueuedBatches
        batch.reserveCapacity(batchSize)
        let thread = Thread { [self] in drain() }
        thread.name = "hotshard-analysis"
        thread.start()
    }

    public func receive(_ message: Message) {
        batch.append(message)
        if batch.count >= batchSize { handOver() }
    }

    /// Delivers the last batch and returns once the downstream sink has received everything.
    public func finish() {
        handOver()
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }

    /// Hands over what is queued, waits until the sink has received all of it, then runs `body`
    /// on the sink from the caller's thread while the drain thread waits: a consistent look at the
    /// sink in the middle of a run (a live capture's metrics) without closing the pipeline.
    public func withDrained<T>(_ body: (Downstream) -> T) -> T {
        handOver()
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty || busy { condition.wait() }
        return body(downstream)
    }

    private func handOver() {
        guard !batch.isEmpty else { return }
        condition.lock()
        while queue.count >= maxQueued { condition.wait() }
        queue.append(batch)
        let reused = spare.popLast()
        condition.broadcast()
        condition.unlock()
        if let reused {
            batch = reused
        } else {
            batch = []
            batch.reserveCapacity(batchSize)
        }
    }

    private func drain() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty && closed {
                condition.unlock()
                done.signal()
                return
            }
            var next = queue.removeFirst()
            busy = true
            condition.broadcast()
            condition.unlock()
            downstream.receive(contentsOf: next)
            next.removeAll(keepingCapacity: true)
            condition.lock()
            busy = false
            if spare.count < maxQueued { spare.append(next) }
            condition.broadcast()
            condition.unlock()
        }
    }
}
