import Foundation

/// State that threads wait on: a mutex with a condition variable, the one blocking primitive of
/// the project. `Synchronization.Mutex` cannot wait for a change, and a bare `NSCondition` leaves
/// the state it guards outside the lock; here the state is reachable only inside `withLock`,
/// `update` or `wait`, which is why this one type may be `@unchecked Sendable`.
public final class Monitor<State>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    public init(_ state: State) {
        self.state = state
    }

    /// Reads or changes the state without waking waiters (for changes nobody waits on).
    public func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// Changes the state and wakes every waiter to look at it again.
    public func update<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Changes the state and wakes the waiters only if `wake` holds afterwards: a waiter woken to
    /// find its condition still false costs two context switches, and on a busy machine each can
    /// preempt a thread doing real work.
    public func update<Result>(wakingIf wake: (State) -> Bool, _ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            if wake(state) { condition.broadcast() }
            condition.unlock()
        }
        return try body(&state)
    }

    /// Blocks until `ready` holds, then runs `body` under the same lock and wakes the other waiters.
    public func wait<Result>(until ready: (State) -> Bool, then body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        while !ready(state) { condition.wait() }
        return try body(&state)
    }

    /// Blocks until `ready` holds or `deadline` passes; whether it holds.
    public func wait(until ready: (State) -> Bool, deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !ready(state) {
            if !condition.wait(until: deadline) { return ready(state) }
        }
        return true
    }
}
