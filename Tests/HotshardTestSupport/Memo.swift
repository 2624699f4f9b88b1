import Foundation

/// Values computed once per test run and shared by the tests that ask for them, for inputs that
/// are expensive to derive (a capture analysed by a debug build). Tests run in parallel: the first
/// to ask for a key computes it while later ones for that key wait, and other keys go on.
/// A failure is remembered too, so every test that needs the value reports it.
public final class Memo<Value: Sendable>: @unchecked Sendable {
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var result: Result<Value, any Error>?
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    public func value(for key: String, _ compute: () throws -> Value) throws -> Value {
        let entry = lock.withLock {
            if let entry = entries[key] { return entry }
            let entry = Entry()
            entries[key] = entry
            return entry
        }
        return try entry.lock.withLock {
            if let result = entry.result { return try result.get() }
            let result = Result { try compute() }
            entry.result = result
            return try result.get()
        }
    }
}
