import HotshardBytes

/// The arguments of one request: byte ranges either in a reusable buffer of their own (a request
/// that arrived in pieces) or in the caller's input (a request that arrived whole: the common case,
/// read without copying).
///
/// A stored argument longer than `maxStoredBytes` keeps only its first bytes (a value, never a
/// real key, is that long in practice). Reused across requests, so the steady path does not allocate.
struct RESPArguments {
    private struct Span {
        var start: Int
        var length: Int
    }

    private var storage: [UInt8] = []
    /// Spans live in storage of their own, written in place and emptied by setting `count`
    /// (an array's `removeAll(keepingCapacity:)` ran a generic replace on every request).
    private var buffer = FixedStorage<Span>(capacity: 16)
    private(set) var count = 0
    /// The input the spans point into while a whole request is read in place; nil when stored.
    private var borrowed: ByteView?
    let maxStoredBytes: Int
    let maxArguments: Int
    /// Arguments beyond `maxArguments` are counted, not stored.
    private(set) var droppedArguments = 0

    init(maxStoredBytes: Int = 4096, maxArguments: Int = 65_536) {
        self.maxStoredBytes = maxStoredBytes
        self.maxArguments = maxArguments
    }

    mutating func reset() {
        if !storage.isEmpty { storage.removeAll(keepingCapacity: true) }
        count = 0
        borrowed = nil
        droppedArguments = 0
    }

    /// Starts reading a request in place: arguments are then ranges of `base`, which must stay
    /// valid until the request is finished.
    @inline(__always)
    mutating func borrow(_ bytes: ByteView) {
        count = 0
        borrowed = bytes
        droppedArguments = 0
    }

    /// Makes room for `count` arguments at once, so that `appendBorrowedReserved` need not check.
    /// False when that many would pass `maxArguments`.
    @inline(__always)
    mutating func reserve(_ count: Int) -> Bool {
        guard count <= maxArguments else { return false }
        if count > buffer.capacity || !isKnownUniquelyReferenced(&buffer) {
            buffer = FixedStorage(capacity: max(count, buffer.capacity), copying: buffer, count: self.count)
        }
        return true
    }

    /// Adds an argument lying at `start..<start+length` of the borrowed input, within what
    /// `reserve` made room for (its one caller appends exactly the count it reserved, right after).
    @inline(__always)
    mutating func appendBorrowedReserved(start: Int, length: Int) {
        buffer.write(Span(start: start, length: length), at: count)
        count += 1
    }

    @inline(__always)
    private mutating func push(_ span: Span) -> Bool {
        guard count < maxArguments else {
            droppedArguments += 1
            return false
        }
        if count == buffer.capacity || !isKnownUniquelyReferenced(&buffer) { grow() }
        buffer.write(span, at: count)
        count += 1
        return true
    }

    /// A larger buffer when full; a buffer of its own when a copy of these arguments shares it.
    private mutating func grow() {
        let capacity = count == buffer.capacity ? min(maxArguments, buffer.capacity * 2) : buffer.capacity
        buffer = FixedStorage(capacity: capacity, copying: buffer, count: count)
    }

    /// Starts a new stored argument.
    mutating func begin() -> Bool {
        push(Span(start: storage.count, length: 0))
    }

    /// Appends bytes to the stored argument begun last, up to the storage cap.
    mutating func append(_ bytes: ByteView) {
        guard count > 0 else { return }
        if !isKnownUniquelyReferenced(&buffer) { grow() }
        let last = count - 1
        let room = maxStoredBytes - buffer[last].length
        guard room > 0 else { return }
        let take = min(room, bytes.count)
        storage.append(contentsOf: bytes.prefix(upTo: take))
        buffer[last].length += take
    }

    @inline(__always)
    func withArgument<T>(_ index: Int, _ body: (ByteView) -> T) -> T {
        precondition(index >= 0 && index < count, "argument index out of range")
        let span = buffer[index]
        if let borrowed {
            return body(borrowed.extracting(span.start..<(span.start + span.length)))
        }
        return storage.withByteView { all in
            body(all.extracting(span.start..<(span.start + span.length)))
        }
    }

    /// The first argument as the command cache keys it (nil when it cannot hold it).
    @inline(__always)
    var shortCommand: (word: UInt64, length: Int)? {
        count > 0 ? withArgument(0) { RedisCommandCache.key($0) } : nil
    }

    func length(_ index: Int) -> Int {
        precondition(index >= 0 && index < count, "argument index out of range")
        return buffer[index].length
    }

    /// The argument as a key.
    func key(_ index: Int) -> Key {
        withKeyBytes(index) { Key($0) }
    }

    /// The argument's bytes as a key keeps them, valid only inside `body`.
    @inline(__always)
    func withKeyBytes<T>(_ index: Int, _ body: (ByteView) -> T) -> T {
        withArgument(index) { body(keyBytes($0)) }
    }

    /// Bytes of a key argument, cut at `maxStoredBytes` however they arrived (memory stays bounded).
    /// A view of the first bytes, not a `Slice`: the slice cost the fast path 2 ns a request.
    @inline(__always)
    func keyBytes(_ bytes: ByteView) -> ByteView {
        bytes.prefix(upTo: maxStoredBytes)
    }

    func equalsIgnoringCase(_ index: Int, _ upper: [UInt8]) -> Bool {
        guard index >= 0, index < count, buffer[index].length == upper.count else { return false }
        return withArgument(index) { bytes in
            for (byte, expected) in zip(bytes, upper) {
                if asciiUppercased(byte) != expected { return false }
            }
            return true
        }
    }

    /// The argument as a decimal integer, nil when it is not one.
    func integer(_ index: Int) -> Int? {
        guard index >= 0, index < count, buffer[index].length > 0, buffer[index].length <= 18 else { return nil }
        return withArgument(index) { bytes in
            var value = 0
            var negative = false
            for (offset, byte) in bytes.enumerated() {
                if offset == 0, byte == UInt8(ascii: "-") { negative = true; continue }
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return negative ? -value : value
        }
    }

    /// Upper-case text of an argument (for command names: short, ASCII).
    func upperText(_ index: Int) -> String {
        withArgument(index) { bytes in
            String(decoding: bytes.map(asciiUppercased), as: UTF8.self)
        }
    }
}
