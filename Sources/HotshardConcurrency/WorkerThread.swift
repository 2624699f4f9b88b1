import Foundation

/// A thread of our own for work that blocks or runs for the whole command (a capture reader, an
/// analysis shard), as opposed to the event loops of `load` and `replay`. `join()` (or, from async
/// code, `joined()`) waits for it, which also makes the worker's writes visible to the joiner.
public final class WorkerThread: Sendable {
    private struct State {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Monitor(State())

    /// Starts `body` at once on a new thread named `name` (as `top -H` and debuggers show it).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let state = self.state
        let thread = Thread {
            body()
            let waiters = state.update { state in
                state.finished = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Returns once the body has returned (blocks the calling thread).
    public func join() {
        state.wait(until: { $0.finished }, then: { _ in })
    }

    /// Returns once the body has returned, without blocking a thread of the async runtime.
    public func joined() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }

    /// Whether the body has returned.
    public var isFinished: Bool { state.withLock { $0.finished } }
}
