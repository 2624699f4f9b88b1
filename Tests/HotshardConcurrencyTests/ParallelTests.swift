import HotshardConcurrency
import Synchronization
import Testing

@Suite("Parallel")
struct ParallelTests {
    @Test("forEach runs every index exactly once")
    func forEachRunsEveryIndexOnce() {
        let seen = Mutex([Int](repeating: 0, count: 10_000))
        Parallel.forEach(10_000) { index in seen.withLock { $0[index] += 1 } }
        #expect(seen.withLock { $0 } == [Int](repeating: 1, count: 10_000))
    }

    @Test("map keeps index order; sum of squares 0..<1000 is 332,833,500")
    func mapKeepsOrder() {
        let squares = Parallel.map(1_000) { $0 * $0 }
        #expect(squares.count == 1_000)
        #expect(squares[999] == 998_001)
        #expect(squares.reduce(0, +) == 332_833_500)
    }

    @Test("update changes each element by its own job, in place")
    func updateChangesEachElement() {
        var chunks = (0..<64).map { [Int](repeating: $0, count: 1_000) }
        Parallel.update(&chunks) { chunk in
            for i in chunk.indices { chunk[i] += i }
        }
        #expect(chunks.count == 64)
        #expect(chunks[5][0] == 5)
        #expect(chunks[63][999] == 63 + 999)
        #expect(chunks.map { $0.reduce(0, +) } == (0..<64).map { $0 * 1_000 + 499_500 })
    }

    @Test("zero and one job run on the caller's thread")
    func degenerateCounts() {
        #expect(Parallel.map(0) { $0 }.isEmpty)
        #expect(Parallel.map(1) { $0 + 41 } == [41 + 0])
    }
}

@Suite("WorkerThread and Monitor")
struct WorkerThreadTests {
    @Test("join waits for the body; a bounded hand-over through a Monitor keeps order")
    func boundedHandOverKeepsOrder() {
        struct Queue {
            var items: [Int] = []
            var closed = false
        }
        let queue = Monitor(Queue())
        let received = Monitor([Int]())
        let consumer = WorkerThread(name: "test-consumer") {
            while true {
                let next: Int? = queue.wait(until: { !$0.items.isEmpty || $0.closed }) { state in
                    state.items.isEmpty ? nil : state.items.removeFirst()
                }
                guard let next else { return }
                received.withLock { $0.append(next) }
            }
        }
        for value in 0..<5_000 {
            // At most 4 waiting: the producer blocks until the consumer takes one.
            queue.wait(until: { $0.items.count < 4 }) { $0.items.append(value) }
        }
        queue.update { $0.closed = true }
        consumer.join()
        #expect(consumer.isFinished)
        #expect(received.withLock { $0 } == Array(0..<5_000))
    }
}

@Suite("SerialWorker")
struct SerialWorkerTests {
    @Test("jobs run one at a time, in order; drain waits for them; close ends the thread")
    func jobsRunInOrder() {
        let worker = SerialWorker(name: "test-serial")
        let seen = Monitor([Int]())
        let running = Monitor(0)
        for value in 0..<1_000 {
            worker.submit {
                let overlapping = running.update { running -> Int in
                    running += 1
                    return running
                }
                seen.withLock { $0.append(overlapping == 1 ? value : -1) }
                running.update { $0 -= 1 }
            }
        }
        worker.drain()
        #expect(seen.withLock { $0 } == Array(0..<1_000))
        worker.submit { seen.withLock { $0.append(1_000) } }
        worker.close()
        #expect(seen.withLock { $0.count } == 1_001)
    }
}
