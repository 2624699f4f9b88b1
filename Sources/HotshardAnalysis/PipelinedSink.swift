import Foundation
import HotshardProtocols

/// Runs a message sink on a thread of its own: messages are handed over in batches through a
/// bounded queue, so that reading and parsing (the caller's thread) and analysis (this one) use
/// both cores. Order is kept. `finish()` delivers what is left and waits for the sink to drain;
/// the sink must not be touched from elsewhere until then.
public final class PipelinedSink<Downstream: MessageSink>: MessageSink, @unchecked Sendable {
    private let downstream: Downstream
    private let batchSize: Int
    private var batch: [Message] = []
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [[Message]] = []
    private var closed = false
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

    private func handOver() {
        guard !batch.isEmpty else { return }
        condition.lock()
        while queue.count >= maxQueued { condition.wait() }
        queue.append(batch)
        condition.broadcast()
        condition.unlock()
        batch = []
        batch.reserveCapacity(batchSize)
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
            let next = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            downstream.receive(contentsOf: next)
        }
    }
}
