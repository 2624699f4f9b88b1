import HotshardBytes

/// What kind of error a reply was: its first word (`ERR`, `WRONGTYPE`, `MOVED`, `ASK`,
/// `SERVER_ERROR`, `UNKNOWN_COMMAND`, `4xx`), bytes from the wire, at most `capacity` of them.
///
/// Held inline with no reference, so that a `ReplyStatus` is plain bytes: as a `String` payload
/// every status written over another called the runtime to release the old one, twice for each
/// request a parser pairs (about 2 ns of 68 for a pipelined RESP GET and its reply).
public struct ErrorKind: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// Longer words are cut: the longest any server here sends is memcached's `UNKNOWN_COMMAND`.
    public static let capacity = 15

    /// The bytes, zero-padded, and their count in the last byte.
    private var storage: (UInt64, UInt64) = (0, 0)

    public init(_ bytes: some Collection<UInt8>) {
        let count = min(bytes.count, Self.capacity)
        withUnsafeMutableBytes(of: &storage) { raw in
            for (index, byte) in bytes.prefix(count).enumerated() { raw[index] = byte }
            raw[Self.capacity] = UInt8(count)
        }
    }

    public init(_ text: String) {
        self.init(text.utf8)
    }

    public init(stringLiteral text: String) {
        self.init(text.utf8)
    }

    public var count: Int { Int(UInt64(littleEndian: storage.1) >> 56) }

    /// The bytes, valid only inside `body`.
    public func withByteView<Result>(_ body: (ByteView) throws -> Result) rethrows -> Result {
        let count = self.count
        var storage = self.storage
        return try Swift.withUnsafeBytes(of: &storage) { try body(ByteView($0).prefix(upTo: count)) }
    }

    /// The word as text (invalid UTF-8 shown as U+FFFD); renderers escape it like any wire text.
    public var description: String {
        withByteView { String(decoding: $0, as: UTF8.self) }
    }

    public static func == (lhs: ErrorKind, rhs: ErrorKind) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
    }
}
