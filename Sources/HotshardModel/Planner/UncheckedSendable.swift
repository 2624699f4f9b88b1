/// Hands a value to `DispatchQueue.concurrentPerform` iterations that use disjoint parts of it
/// (each iteration reads shared input and writes only its own slice of an output buffer). The
/// caller guarantees that disjointness; nothing else crosses threads through this wrapper.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
