extension RedisClusterShards {
    /// A small JSON reader that flattens a document into its scalars in document order (object
    /// keys before their values), each with its line, so that errors name the line. Enough for
    /// redis-cli's `--json` output; nesting is bounded (64 levels).
    struct JSONReader {
        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func tokens() throws -> [Token] {
            var out: [Token] = []
            skipSpace()
            try value(into: &out, depth: 0)
            skipSpace()
            guard index == bytes.count else { throw fail("unexpected text after the JSON document") }
            return out
        }

        func fail(_ why: String) -> PlacementError { .badClusterDump(line: line, "JSON: \(why)") }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\n"): line += 1; index += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else {
                throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }

        mutating func value(into out: inout [Token], depth: Int) throws {
            guard depth < 64 else { throw fail("nested too deeply") }
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
                while true {
                    try value(into: &out, depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw fail("unclosed '['") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                    out.append(Token(value: .text(try string()), line: line))
                    try expect(UInt8(ascii: ":"))
                    try value(into: &out, depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw fail("unclosed '{'") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "\""):
                let startLine = line
                out.append(Token(value: .text(try string()), line: startLine))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                index += 1
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                guard let number = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw fail("bad number") }
                if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                    throw fail("expected a whole number")
                }
                out.append(Token(value: .integer(number), line: line))
            default:
                for (word, text) in [("true", "true"), ("false", "false"), ("null", "")] where bytes[index...].starts(with: word.utf8) {
                    index += word.utf8.count
                    out.append(Token(value: .text(text), line: line))
                    return
                }
                throw fail("unexpected '\(Character(Unicode.Scalar(bytes[index])))'")
            }
        }

        /// A string at `index` (the opening quote), escapes decoded.
        mutating func string() throws -> String {
            index += 1
            var result: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: result, as: UTF8.self)
                case UInt8(ascii: "\n"): throw fail("newline inside a string")
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw fail("unterminated string") }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "n"): result.append(0x0a)
                    case UInt8(ascii: "r"): result.append(0x0d)
                    case UInt8(ascii: "t"): result.append(0x09)
                    case UInt8(ascii: "b"): result.append(0x08)
                    case UInt8(ascii: "f"): result.append(0x0c)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                        else {
                            throw fail("bad \\u escape")
                        }
                        index += 4
                        // redis-cli --quoted-json escapes bytes, not code points: \u00NN is the byte NN.
                        if code < 0x100 {
                            result.append(UInt8(code))
                        } else {
                            result += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
                        }
                    default: result.append(escaped)
                    }
                default: result.append(byte)
                }
            }
            throw fail("unterminated string")
        }
    }
}
