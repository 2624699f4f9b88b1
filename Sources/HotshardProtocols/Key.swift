import HotshardBytes

/// A key as the server sees it: raw bytes, never assumed to be UTF-8.
///
/// Keys of up to `inlineCapacity` bytes — most real keys — live inside the value, so that making
/// one (once per request on the parsers' hot path) allocates nothing; longer keys keep their
/// bytes in an array. `hash64` is computed once, eight bytes at a time, so that tables keyed by
/// `Key` never rehash the bytes. It is a table hash, not a published one: placement schemes hash
/// `bytes` with their own functions.
public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let inlineCapacity = 24

    /// The bytes of an inline key, zero-padded (so that equal keys have equal words).
    /// Visible to inlined code (not public) so that `withByteView` inlines into other modules:
    /// the load client and the report render keys per request.
    @usableFromInline private(set) var words: (UInt64, UInt64, UInt64)
    /// The bytes of a key longer than `inlineCapacity`; nil for inline keys.
    @usableFromInline let longBytes: [UInt8]?
    public private(set) var count: Int
    public private(set) var hash64: UInt64

    /// Inlined for inline keys (made once per request on the parsers' hot path, where the call
    /// and the 48-byte return through memory cost as much as the hash); a long key takes a call.
    @inline(__always)
    public init(_ bytes: ByteView) {
        guard bytes.count <= Self.inlineCapacity else {
            self = Self.long(bytes)
            return
        }
        let words = Self.loadWords(bytes)
        self.init(words: words, longBytes: nil, count: bytes.count, hash64: Self.hashInline(words, count: bytes.count))
    }

    /// Becomes the key of `bytes` in place, when both it and they are inline (false, unchanged,
    /// otherwise). A parser's queue slot takes each request's key this way: made apart and
    /// assigned, a key went through the stack, stored eight bytes at a time and read back sixteen
    /// at a time, which the processor cannot forward (it waited), and the old key was destroyed
    /// through a call.
    @inline(__always)
    mutating func becomeInline(_ bytes: ByteView) -> Bool {
        guard longBytes == nil, bytes.count <= Self.inlineCapacity else { return false }
        let loaded = Self.loadWords(bytes)
        words = loaded
        count = bytes.count
        hash64 = Self.hashInline(loaded, count: bytes.count)
        return true
    }

    private init(words: (UInt64, UInt64, UInt64), longBytes: [UInt8]?, count: Int, hash64: UInt64) {
        self.words = words
        self.longBytes = longBytes
        self.count = count
        self.hash64 = hash64
    }

    @inline(never)
    private static func long(_ bytes: ByteView) -> Key {
        Key(words: (0, 0, 0), longBytes: [UInt8](bytes), count: bytes.count, hash64: hashLong(bytes))
    }

    /// The empty key.
    public init() {
        count = 0
        words = (0, 0, 0)
        longBytes = nil
        hash64 = Self.emptyHash
    }

    /// `hashInline((0, 0, 0), count: 0)`, written out: every empty key list makes an empty key.
    static let emptyHash: UInt64 = 0x04f6_139c_0897_749e

    /// Up to 24 bytes as zero-padded little-endian words, read a word at a time (no call to
    /// memmove per key): past the first word, the last word is read ending at the key's last
    /// byte and shifted down, so nothing beyond the key is touched. Fewer than eight bytes are
    /// `ByteView.word`'s overlapping loads.
    @inline(__always)
    private static func loadWords(_ bytes: ByteView) -> (UInt64, UInt64, UInt64) {
        let count = bytes.count
        guard count >= 8 else { return ((bytes.word(at: 0, length: count) ?? 0).littleEndian, 0, 0) }
        func word(_ index: Int) -> UInt64 {
            let end = index * 8 + 8
            if end <= count { return bytes.littleEndian(at: index * 8, as: UInt64.self) ?? 0 }
            if end - 8 >= count { return 0 }
            let tail = bytes.littleEndian(at: count - 8, as: UInt64.self) ?? 0
            return tail >> (UInt64(end - count) * 8)
        }
        return (word(0).littleEndian, word(1).littleEndian, word(2).littleEndian)
    }

    public init(_ bytes: [UInt8]) {
        if bytes.count <= Self.inlineCapacity {
            self = bytes.withByteView { Key($0) }
        } else {
            count = bytes.count
            words = (0, 0, 0)
            longBytes = bytes
            hash64 = bytes.withByteView { Self.hashLong($0) }
        }
    }

    public init(_ text: String) {
        self = text.withByteView { Key($0) }
    }

    /// The key's bytes, valid only inside `body`: the way to read a key without copying it.
    @inlinable @inline(__always)
    public func withByteView<Result>(_ body: (ByteView) throws -> Result) rethrows -> Result {
        if let longBytes {
            return try longBytes.withByteView(body)
        }
        var words = self.words
        let count = self.count
        return try Swift.withUnsafeBytes(of: &words) { try body(ByteView($0).prefix(upTo: count)) }
    }

    /// A copy of the key's bytes.
    public var bytes: [UInt8] {
        // One copy of the bytes, not the generic collection copy that reads them one at a time.
        withByteView { view in view.withUnsafeBytes { [UInt8]($0) } }
    }

    public static func == (lhs: Key, rhs: Key) -> Bool {
        guard lhs.hash64 == rhs.hash64, lhs.count == rhs.count else { return false }
        if let left = lhs.longBytes, let right = rhs.longBytes { return left == right }
        return lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash64)
    }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.withByteView { left in
            rhs.withByteView { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }

    /// The key as text when it is valid UTF-8, otherwise nil (the result document then carries base64).
    public var utf8Text: String? {
        withByteView { String(validating: $0, as: UTF8.self) }
    }

    public var description: String { escaped }

    @inlinable
    public static func fnv1a64<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    // MARK: Table hash (wyhash's multiply-fold mixing, a word at a time)

    private static let seeds: (UInt64, UInt64, UInt64, UInt64) =
        (0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db, 0x8ebc_6af0_9c88_c6e3, 0x5899_65cc_7537_4cc3)

    @inline(__always)
    private static func hashInline(_ words: (UInt64, UInt64, UInt64), count: Int) -> UInt64 {
        let first = multiplyFold(words.0 ^ seeds.0, words.1 ^ seeds.1)
        let second = multiplyFold(words.2 ^ seeds.2, UInt64(count) ^ seeds.3)
        return multiplyFold(first ^ seeds.1, second ^ seeds.0)
    }

    /// Sixteen bytes at a time as two little-endian words (a short last piece zero-padded: the
    /// words a copy into zeroed memory made on a little-endian machine, so hashes are unchanged).
    private static func hashLong(_ bytes: ByteView) -> UInt64 {
        var state = multiplyFold(UInt64(bytes.count) ^ seeds.0, seeds.1)
        var offset = 0
        while offset < bytes.count {
            let take = min(16, bytes.count - offset)
            let first = bytes.word(at: offset, length: min(8, take)) ?? 0
            let second = take > 8 ? bytes.word(at: offset + 8, length: take - 8) ?? 0 : 0
            state = multiplyFold(first ^ seeds.2 ^ state, second ^ seeds.3)
            offset += take
        }
        return multiplyFold(state ^ seeds.1, seeds.0)
    }
}
