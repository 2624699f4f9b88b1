import HotshardBytes

/// The keys of one request, in request order: the first inside the value, the others (multi-key
/// commands) in an array, so that a single-key request — nearly all traffic — allocates nothing.
public struct KeyList: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Sendable, Hashable {
    /// The empty key while the list is empty (not an optional: no tag to test on every copy).
    /// Visible to inlined code (not public) so that reading a key in another module (the analyzer,
    /// once per key of every message) is a load, not a call that copies the key through a witness.
    @usableFromInline private(set) var head = KeyReference(key: Key())
    @usableFromInline private(set) var tail: [KeyReference] = []
    /// Kept apart so that asking the length never touches (or copies) the keys.
    public private(set) var count = 0

    public init() {}

    public init(_ references: some Sequence<KeyReference>) {
        for reference in references { append(reference) }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }
    @inlinable public var isEmpty: Bool { count == 0 }

    public subscript(position: Int) -> KeyReference {
        @inlinable get {
            if position == 0, count > 0 { return head }
            return tail[position - 1]
        }
        set {
            if position == 0, count > 0 {
                head = newValue
            } else {
                tail[position - 1] = newValue
            }
        }
    }

    /// Records what a reply said about one key, in place: through the subscript, the getter copies
    /// the key out and the setter copies it back (a `_modify` coroutine allocated its frame).
    public mutating func setOutcome(at position: Int, hit: Bool, valueBytes: Int) {
        if position == 0, count > 0 {
            head.hit = hit
            head.valueBytes = valueBytes
        } else {
            tail[position - 1].hit = hit
            tail[position - 1].valueBytes = valueBytes
        }
    }

    /// Stamps each key with the number `numbered` gives the same key at the same position
    /// (`KeyReference.index`): how `load` carries its generator's key numbers onto what the parser
    /// decoded. A key that differs keeps no number, so a number never names another key.
    public mutating func takeIndices(from numbered: KeyList) {
        if count > 0, numbered.count > 0, numbered.head.index >= 0, head.key == numbered.head.key {
            head.index = numbered.head.index
        }
        guard count > 1 else { return }
        for position in 1..<Swift.min(count, numbered.count) {
            let source = numbered.tail[position - 1]
            if source.index >= 0, tail[position - 1].key == source.key { tail[position - 1].index = source.index }
        }
    }

    /// Makes the list hold `reference` alone. The other keys' storage is given up: a list that is
    /// reused for request after request (a parser's queue slot) must not keep a large multi-key
    /// request's storage for the life of its connection.
    @inline(__always)
    public mutating func replaceAll(with reference: KeyReference) {
        head = reference
        if tail.capacity > 0 { tail = [] }
        count = 1
    }

    /// Makes the list hold the key of `bytes` alone, written in place when it is inline.
    @inline(__always)
    mutating func replaceAll(withKey bytes: ByteView) {
        if head.key.becomeInline(bytes) {
            head.hit = nil
            head.valueBytes = 0
        } else {
            head = KeyReference(key: Key(bytes))
        }
        if tail.capacity > 0 { tail = [] }
        count = 1
    }

    /// Room for `capacity` keys: a multi-key request then allocates its other keys' storage once.
    public mutating func reserveCapacity(_ capacity: Int) {
        if capacity > 1 { tail.reserveCapacity(capacity - 1) }
    }

    public mutating func append(_ reference: KeyReference) {
        if count == 0 {
            head = reference
        } else {
            tail.append(reference)
        }
        count += 1
    }

    public mutating func removeAll(keepingCapacity keepCapacity: Bool = false) {
        head = KeyReference(key: Key())
        // Checked first: on an empty array the call still runs a generic replace.
        if keepCapacity {
            if !tail.isEmpty { tail.removeAll(keepingCapacity: true) }
        } else if tail.capacity > 0 {
            tail = []
        }
        count = 0
    }

    public mutating func replaceSubrange<C: Collection<KeyReference>>(_ subrange: Range<Int>, with newElements: C) {
        var all = Array(self)
        all.replaceSubrange(subrange, with: newElements)
        self = KeyList(all)
    }
}

extension KeyList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: KeyReference...) {
        self.init(elements)
    }
}
