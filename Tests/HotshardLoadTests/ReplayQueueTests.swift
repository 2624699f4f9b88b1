import DequeModule
import Foundation
import HotshardConcurrency
import Testing

@testable import HotshardLoad

/// The reader-to-worker hand-over of `replay`: bounded, in order, and a reader that found it full
/// resumes only once half of it has drained (not at every batch the worker takes).
struct ReplayQueueTests {
    static func batch(from first: Int, count: Int) -> Deque<ReplayItem> {
        Deque(
            (first..<(first + count)).map { number in
                ReplayItem(
                    captureNanos: Int64(number),
                    request: PreparedRequest(bytes: [], command: "GET", operation: .read, keys: []))
            })
    }

    /// Capacity 1,000 in batches of 100: the eleventh batch waits while 1,000, 900 … 600 requests
    /// are queued, and goes in once 500 are. Each "still waiting" is looked at 100 ms after the take:
    /// a reader woken by every take (the old queue) would have put its batch in by then.
    @Test func aReaderThatWaitedResumesAtHalfCapacity() async throws {
        let queue = ReplayQueue(capacity: 1_000)
        for index in 0..<10 { #expect(queue.put(Self.batch(from: index * 100, count: 100))) }
        let put = Monitor(false)
        let reader = WorkerThread(name: "test-reader") {
            _ = queue.put(Self.batch(from: 1_000, count: 100))
            put.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!put.withLock { $0 }, "put into a full queue")
        for taken in 1...4 {
            #expect(queue.take().batch?.count == 100)
            try await Task.sleep(for: .milliseconds(100))
            #expect(
                !put.withLock { $0 },
                "the waiting reader went on with \(1_000 - taken * 100) requests queued")
        }
        #expect(queue.take().batch?.count == 100)
        await reader.joined()
        #expect(put.withLock { $0 })
        // 500 left from the first ten batches, then the eleventh, in order.
        var numbers: [Int64] = []
        while let batch = queue.take().batch { numbers += batch.map(\.captureNanos) }
        #expect(numbers == (500..<1_100).map(Int64.init))
        #expect(queue.peakQueued == 1_000)
    }

    /// A batch larger than what half the capacity leaves room for still never takes the queue past
    /// its capacity: it waits for room for all of it.
    @Test func resumingNeverOverfillsTheQueue() async throws {
        let queue = ReplayQueue(capacity: 100)
        #expect(queue.put(Self.batch(from: 0, count: 80)))
        let reader = WorkerThread(name: "test-reader") { _ = queue.put(Self.batch(from: 80, count: 80)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(queue.peakQueued == 80, "the second batch went in without room for it")
        #expect(queue.take().batch?.count == 80)
        await reader.joined()
        #expect(queue.take().batch?.map(\.captureNanos) == (80..<160).map(Int64.init))
        #expect(queue.peakQueued == 80)
    }

    /// A stream of 200,000 requests in batches of 1 to 256 through a queue of 4,096, the worker
    /// taking as fast as it can: everything arrives, in order, and never more than the capacity waits.
    @Test func aLongStreamArrivesWholeAndBounded() async {
        let queue = ReplayQueue(capacity: 4_096)
        let total = 200_000
        let reader = WorkerThread(name: "test-reader") {
            var generator = SeededGenerator(seed: 21)
            var next = 0
            while next < total {
                let count = min(total - next, Int(generator.next() % 256) + 1)
                guard queue.put(Self.batch(from: next, count: count)) else { return }
                next += count
            }
            queue.finish()
        }
        var expected: Int64 = 0
        var inOrder = true
        while true {
            let (batch, finished) = queue.take()
            if finished { break }
            guard let batch else {
                await Task.yield()
                continue
            }
            for item in batch {
                if item.captureNanos != expected { inOrder = false }
                expected += 1
            }
        }
        await reader.joined()
        #expect(inOrder)
        #expect(expected == Int64(total))
        #expect(queue.peakQueued <= 4_096)
    }
}
