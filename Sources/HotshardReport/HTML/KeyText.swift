import HotshardProtocols

/// How a key (or any text from the input) is shown to a person in the HTML report.
///
/// Keys are bytes. Printable characters of valid UTF-8 show as themselves; a backslash shows as
/// `\\`; every other byte — control characters, invalid UTF-8, and the bytes of invisible or
/// direction-changing characters (format, separator, private-use and unassigned scalars, non-ASCII
/// spaces) — shows as `\xNN`. The result is plain text: HTML escaping is a separate, later step.
public struct KeyText: Sendable, Equatable {
    /// The whole key, escaped.
    public let full: String
    /// At most `limit` characters: the start and the end of `full` around an ellipsis.
    public let short: String
    /// Whether `short` differs from `full`.
    public var isShortened: Bool { short != full }

    /// Display characters kept before shortening.
    public static let defaultLimit = 48

    public init(_ key: Key, limit: Int = KeyText.defaultLimit) {
        self.init(bytes: key.bytes, limit: limit)
    }

    public init(text: String, limit: Int = Int.max) {
        self.init(bytes: Array(text.utf8), limit: limit)
    }

    public init(bytes: [UInt8], limit: Int = KeyText.defaultLimit) {
        full = Self.escape(bytes)
        short = Self.shorten(full, limit: limit)
    }

    /// The escaped form of `bytes` (see the type's documentation). O(n).
    public static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let length = encoded.count
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "\\" {
                    out += "\\\\"
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    for byte in encoded { appendHex(byte, to: &out) }
                }
                offset += length
            case .error(let length):
                for index in offset..<min(offset + length, bytes.count) { appendHex(bytes[index], to: &out) }
                offset += length
            case .emptyInput:
                return out
            }
        }
    }

    /// Whether a scalar can be shown as itself without hiding, reordering or breaking text.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value < 0x7f }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate,
             .privateUse, .unassigned:
            return false
        default:
            return !scalar.properties.isNoncharacterCodePoint
        }
    }

    static func appendHex(_ byte: UInt8, to out: inout String) {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        out += "\\x"
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }

    /// `text` cut to `limit` characters with an ellipsis in the middle (ends often carry the id).
    static func shorten(_ text: String, limit: Int) -> String {
        guard limit > 1, text.count > limit else { return text }
        let tail = max(1, limit / 4)
        let head = limit - tail - 1
        return String(text.prefix(head)) + "…" + String(text.suffix(tail))
    }
}
