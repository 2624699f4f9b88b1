import HotshardProtocols

/// Keys given one per line (`hotshard place --keys-from`), as bytes: a line is a key exactly as
/// its bytes are, without the line feed and a carriage return before it; empty lines are skipped.
/// With `escaped`, a line is read the way `Key.escaped` writes keys — `\xNN` (two hex digits) is
/// that byte, `\\` a backslash, every other byte itself — so any key, a line feed included, can be
/// given, and `place`'s output can be fed back in.
public enum KeyLines {
    /// Why a line could not be read.
    public struct BadLine: Error, CustomStringConvertible {
        /// The line's number, from 1.
        public let line: Int
        /// What is wrong with it.
        public let reason: String
        /// `line N: reason`, as `place` prints it.
        public var description: String { "line \(line): \(reason)" }
    }

    /// The keys of `bytes`, one per non-empty line; with `escaped`, `\xNN` and `\\` decoded. Throws
    /// `BadLine` for a malformed escape.
    public static func parse(_ bytes: [UInt8], escaped: Bool) throws -> [Key] {
        var keys: [Key] = []
        var number = 0
        var start = 0
        while start < bytes.count {
            number += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0a { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0d { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            if !line.isEmpty {
                keys.append(Key(escaped ? try unescape(line, line: number) : Array(line)))
            }
            start = end + 1
        }
        return keys
    }

    /// The bytes a `Key.escaped` text stands for.
    public static func unescape<Bytes: Collection<UInt8>>(_ text: Bytes, line: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            index = text.index(after: index)
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard index != text.endIndex else { throw BadLine(line: line, reason: "a lone '\\' at the end (write '\\\\' for a backslash)") }
            let kind = text[index]
            index = text.index(after: index)
            switch kind {
            case UInt8(ascii: "\\"): out.append(kind)
            case UInt8(ascii: "x"):
                var value: UInt8 = 0
                for _ in 0..<2 {
                    guard index != text.endIndex, let digit = hexValue(text[index]) else {
                        throw BadLine(line: line, reason: "'\\x' must be followed by two hex digits")
                    }
                    value = value << 4 | digit
                    index = text.index(after: index)
                }
                out.append(value)
            default:
                throw BadLine(line: line, reason: "unknown escape '\\\(Character(Unicode.Scalar(kind)))' (only \\xNN and \\\\)")
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
