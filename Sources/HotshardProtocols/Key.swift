/// A key as the server sees it: raw bytes, never assumed to be UTF-8.
///
/// `hash64` is computed once (FNV-1a 64) so that tables keyed by `Key` do not rehash the bytes.
public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]
    public let hash64: UInt64

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.hash64 = Key.fnv1a64(bytes)
    }

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.init([UInt8](bytes))
    }

    public init(_ text: String) {
        self.init(Array(text.utf8))
    }

    public static func == (lhs: Key, rhs: Key) -> Bool {
        lhs.hash64 == rhs.hash64 && lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash64)
    }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The key as text when it is valid UTF-8, otherwise nil (the result document then carries base64).
    public var utf8Text: String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Printable ASCII as is, backslash as `\\`, every other byte as `\xNN`: safe for a terminal.
    public var escaped: String {
        var out = ""
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7f: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: false)
                out += byte < 0x10 ? "\\x0\(hex)" : "\\x\(hex)"
            }
        }
        return out
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
}
