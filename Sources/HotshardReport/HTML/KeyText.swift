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

    /// A key, shortened to `limit` characters.
    public init(_ key: Key, limit: Int = KeyText.defaultLimit) {
        self.init(bytes: key.bytes, limit: limit)
    }

    /// Text from the input (a path, a command), whole unless `limit` says otherwise.
    public init(text: String, limit: Int = Int.max) {
        self.init(bytes: Array(text.utf8), limit: limit)
    }

    /// Raw bytes, shortened to `limit` characters.
    public init(bytes: [UInt8], limit: Int = KeyText.defaultLimit) {
        full = Self.escape(bytes)
        short = Self.shorten(full, limit: limit)
    }

    /// The escaped form of `bytes`: `Key.escaped`, the one rendering of keys. O(n).
    public static func escape(_ bytes: [UInt8]) -> String { Key.escaped(bytes) }

    /// `text` cut to `limit` characters with an ellipsis in the middle (ends often carry the id).
    static func shorten(_ text: String, limit: Int) -> String {
        guard limit > 1, text.count > limit else { return text }
        let tail = max(1, limit / 4)
        let head = limit - tail - 1
        return String(text.prefix(head)) + "…" + String(text.suffix(tail))
    }
}
