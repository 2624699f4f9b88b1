import Foundation
import Synchronization

/// Data-parallel loops over the cores, on `WorkerThread`s: the caller's thread takes part, the
/// indices are handed out one at a time from an atomic counter (jobs of unequal cost balance
/// themselves), and every call returns only when all its jobs have.
public enum Parallel {
    /// Threads a loop uses at most: one per core.
    public static var width: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Runs `body(i)` for every `i` in `0..<count`, in no particular order.
    public static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 1, width > 1 else {
            for index in 0..<max(count, 0) { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let loop = SharedLoop(count: count, body: body)
            let helpers = (1..<min(width, count)).map { WorkerThread(name: "hotshard-parallel-\($0)") { loop.run() } }
            loop.run()
            for helper in helpers { helper.join() }
            // The threads' closures may outlive the join; the body must not (it is borrowed).
            loop.release()
        }
    }

    /// `body(i)` for every `i` in `0..<count`, in index order.
    public static func map<Value: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Value) -> [Value] {
        let slots = Mutex([Value?](repeating: nil, count: max(count, 0)))
        forEach(count) { index in
            let value = body(index)
            slots.withLock { $0[index] = value }
        }
        return slots.withLock { $0.compactMap { $0 } }
    }

    /// Changes every element of `elements` in place, each by one job. Each job owns its element
    /// alone while it runs (moved out and back), so arrays inside it are changed without a copy.
    public static func update<Element: Sendable>(_ elements: inout [Element], _ body: @Sendable (inout Element) -> Void) {
        let count = elements.count
        let slots = Mutex(elements.map { Optional($0) })
        elements = []
        forEach(count) { index in
            guard var element = slots.withLock({ $0[index].take() }) else { return }
            body(&element)
            slots.withLock { $0[index] = element }
        }
        elements = slots.withLock { $0.compactMap { $0 } }
    }
}

/// One loop's body and its next index, shared by the loop's threads. The body is held here
/// rather than captured by the threads, so that it can be let go when the loop ends.
private final class SharedLoop: Sendable {
    private let count: Int
    private let next = Atomic<Int>(0)
    private let body: Mutex<(@Sendable (Int) -> Void)?>

    init(count: Int, body: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.body = Mutex(body)
    }

    func run() {
        guard let body = body.withLock({ $0 }) else { return }
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            body(index)
        }
    }

    func release() { body.withLock { $0 = nil } }
}
