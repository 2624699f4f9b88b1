/// Reads the slot layout from a `CLUSTER SHARDS` reply (Redis 7.0+) as `redis-cli` prints it, in
/// any of its output formats, detected from the text:
///
/// - `redis-cli --json CLUSTER SHARDS` (RESP3: an array of `{"slots": [...], "nodes": [{...}]}`),
///   `redis-cli -2 --json` (RESP2: maps as flat `[key, value, …]` arrays) and `--quoted-json`;
/// - `redis-cli CLUSTER SHARDS` with its output piped or redirected (one value per line, an empty
///   array or empty string as an empty line);
/// - the interactive display (`1) 1) "slots"`, `(integer) 0`, RESP3's `1# "slots" =>`), as
///   copied from a terminal or written with `--no-raw`.
///
/// A shard's `slots` are start/end pairs; its master (`role` `master`) becomes a node named
/// `ip:port` (`tls-port` when there is no `port`, `endpoint` when `ip` is empty), so that names
/// equal `parseClusterNodes`' for the same cluster. Nodes are ordered by their first slot; shards
/// without slots are left out. A slot claimed by two shards, a bad slot pair or a shard with slots
/// but no master is an error naming the line.
public enum RedisClusterShards {
    /// One scalar of the reply, in reply order, with the input line it came from (1-based).
    struct Token {
        enum Value: Equatable { case text(String), integer(Int) }
        var value: Value
        var line: Int
    }

    /// Parses any of the formats above.
    public static func parse(_ text: String) throws -> RedisClusterScheme {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw PlacementError.badClusterDump(line: 0, "empty CLUSTER SHARDS dump")
        }
        let head = lines[first].drop(while: \.isWhitespace)
        let tokens: [Token]
        if head.hasPrefix("[") || head.hasPrefix("{") {
            var reader = JSONReader(Array(text.utf8))
            tokens = try reader.tokens()
        } else if Self.isDisplayLine(head) {
            tokens = try Self.displayTokens(lines)
        } else {
            if head.split(separator: " ").count >= 8 {
                throw PlacementError.badClusterDump(line: first + 1, "this looks like CLUSTER NODES output, not CLUSTER SHARDS")
            }
            if head.hasPrefix("ERR") || head.hasPrefix("(error)") || head.hasPrefix("Could not connect") {
                throw PlacementError.badClusterDump(line: first + 1, "redis-cli printed an error: \(head)")
            }
            // Piped output: one value per line; trailing blank lines are the end of the output.
            var end = lines.count
            while end > first, lines[end - 1].allSatisfy(\.isWhitespace) { end -= 1 }
            tokens = (first..<end).map { index in
                let line = lines[index]
                if let number = Int(line) { return Token(value: .integer(number), line: index + 1) }
                return Token(value: .text(String(line)), line: index + 1)
            }
        }
        return try layout(tokens, emptyLineIsEmptyArray: !(head.hasPrefix("[") || head.hasPrefix("{")) && !Self.isDisplayLine(head))
    }

    /// The shard structure over the flattened reply: `slots` (integers) `nodes` (key, value pairs,
    /// each node starting with `id`), repeated.
    static func layout(_ tokens: [Token], emptyLineIsEmptyArray: Bool) throws -> RedisClusterScheme {
        struct Shard { var slots: [ClosedRange<Int>] = []; var master: String?; var line: Int }
        var shards: [Shard] = []
        var i = 0
        func describe(_ token: Token) -> String {
            switch token.value {
            case .text(let s): "'\(s.prefix(60))'"
            case .integer(let n): "\(n)"
            }
        }
        while i < tokens.count {
            let start = tokens[i]
            guard start.value == .text("slots") else {
                throw PlacementError.badClusterDump(line: start.line, "expected 'slots' to start a shard, found \(describe(start))")
            }
            var shard = Shard(line: start.line)
            i += 1
            var bounds: [Token] = []
            while i < tokens.count, tokens[i].value != .text("nodes") {
                if emptyLineIsEmptyArray, tokens[i].value == .text(""), bounds.isEmpty { i += 1; continue }
                guard case .integer = tokens[i].value else {
                    throw PlacementError.badClusterDump(line: tokens[i].line, "expected a slot number, found \(describe(tokens[i]))")
                }
                bounds.append(tokens[i])
                i += 1
            }
            guard i < tokens.count else {
                throw PlacementError.badClusterDump(line: tokens.last?.line ?? start.line, "shard has no 'nodes'")
            }
            guard bounds.count % 2 == 0 else {
                throw PlacementError.badClusterDump(
                    line: bounds.last?.line ?? start.line, "slots must come in start/end pairs, found \(bounds.count) numbers")
            }
            for pair in stride(from: 0, to: bounds.count, by: 2) {
                guard case .integer(let low) = bounds[pair].value, case .integer(let high) = bounds[pair + 1].value,
                    0 <= low, low <= high, high < RedisClusterScheme.slotCount
                else {
                    throw PlacementError.badClusterDump(
                        line: bounds[pair].line, "bad slot range \(describe(bounds[pair]))-\(describe(bounds[pair + 1]))")
                }
                shard.slots.append(low...high)
            }
            i += 1  // "nodes"
            // Node attributes as key/value pairs until the next shard's "slots".
            var node: [String: Token] = [:]
            func finishNode() throws {
                guard !node.isEmpty else { return }
                defer { node = [:] }
                guard case .text(let role)? = node["role"]?.value, role == "master" else { return }
                var host = ""
                if case .text(let ip)? = node["ip"]?.value { host = ip }
                if host.isEmpty, case .text(let endpoint)? = node["endpoint"]?.value, endpoint != "?" { host = endpoint }
                let port = node["port"] ?? node["tls-port"]
                guard let port, case .integer(let number) = port.value, (0...65535).contains(number) else {
                    throw PlacementError.badClusterDump(line: node["id"]?.line ?? shard.line, "master has no port")
                }
                if shard.master != nil {
                    throw PlacementError.badClusterDump(line: node["id"]?.line ?? shard.line, "shard has two masters")
                }
                shard.master = host.contains(":") ? "[\(host)]:\(number)" : "\(host):\(number)"
            }
            while i < tokens.count {
                let key = tokens[i]
                if key.value == .text("slots") { break }
                guard case .text(let name) = key.value else {
                    throw PlacementError.badClusterDump(line: key.line, "expected a node attribute name, found \(describe(key))")
                }
                guard i + 1 < tokens.count else {
                    throw PlacementError.badClusterDump(line: key.line, "node attribute '\(name)' has no value")
                }
                if name == "id" { try finishNode() }
                node[name] = tokens[i + 1]
                i += 2
            }
            try finishNode()
            if !shard.slots.isEmpty {
                guard shard.master != nil else {
                    throw PlacementError.badClusterDump(line: shard.line, "shard has slots but no master")
                }
                shards.append(shard)
            }
        }
        shards.sort { ($0.slots.map(\.lowerBound).min() ?? 0) < ($1.slots.map(\.lowerBound).min() ?? 0) }
        var owner = [Int](repeating: -1, count: RedisClusterScheme.slotCount)
        for (index, shard) in shards.enumerated() {
            for range in shard.slots {
                for slot in range {
                    guard owner[slot] < 0 || owner[slot] == index else {
                        throw PlacementError.badClusterDump(line: shard.line, "slot \(slot) belongs to two shards")
                    }
                    owner[slot] = index
                }
            }
        }
        guard !shards.isEmpty else { throw PlacementError.badClusterDump(line: 0, "no shard owns any slot") }
        // Unserved slots go to node 0 so that lookups stay total, as parseClusterNodes does.
        return RedisClusterScheme(nodeNames: shards.map { $0.master ?? "" }, slotOwner: owner.map { max($0, 0) })
    }

    /// redis-cli's interactive display: a line starting with `N)` or `N#`.
    static func isDisplayLine(_ line: Substring) -> Bool {
        let digits = line.prefix(while: \.isNumber)
        guard !digits.isEmpty else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(")") || rest.hasPrefix("#")
    }

    /// Tokens of the interactive display: each line is index markers (`1) `, `2# `), then a
    /// quoted string, `(integer) N`, `(empty array)` or, in RESP3 maps, `"key" => value`.
    static func displayTokens(_ lines: [Substring]) throws -> [Token] {
        var tokens: [Token] = []
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            var rest = raw.drop(while: \.isWhitespace)
            if rest.isEmpty { continue }
            while isDisplayLine(rest) {
                rest = rest.drop(while: \.isNumber).dropFirst().drop(while: \.isWhitespace)
            }
            while !rest.isEmpty {
                if rest.hasPrefix("\"") {
                    let (text, after) = try quoted(rest, line: number)
                    tokens.append(Token(value: .text(text), line: number))
                    rest = after.drop(while: \.isWhitespace)
                    if rest.hasPrefix("=>") { rest = rest.dropFirst(2).drop(while: \.isWhitespace) }
                } else if rest.hasPrefix("(integer)") {
                    let digits = rest.dropFirst(9).drop(while: \.isWhitespace)
                    guard let value = Int(digits.prefix(while: { $0 == "-" || $0.isNumber })) else {
                        throw PlacementError.badClusterDump(line: number, "bad integer '\(rest)'")
                    }
                    tokens.append(Token(value: .integer(value), line: number))
                    rest = ""
                } else if rest.hasPrefix("(empty array)") || rest.hasPrefix("(empty list or set)") {
                    rest = ""
                } else if rest.hasPrefix("(nil)") {
                    tokens.append(Token(value: .text(""), line: number))
                    rest = ""
                } else if rest.hasPrefix("(error)") {
                    throw PlacementError.badClusterDump(line: number, "redis-cli printed an error: \(rest.dropFirst(7).drop(while: \.isWhitespace))")
                } else {
                    throw PlacementError.badClusterDump(line: number, "unexpected '\(rest.prefix(40))'")
                }
            }
        }
        return tokens
    }

    /// A double-quoted string as redis-cli prints it (`\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xNN`).
    static func quoted(_ text: Substring, line: Int) throws -> (String, Substring) {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8).dropFirst()
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            switch byte {
            case UInt8(ascii: "\""):
                return (String(decoding: bytes, as: UTF8.self), Substring(String(decoding: utf8, as: UTF8.self)))
            case UInt8(ascii: "\\"):
                guard let escaped = utf8.first else { break }
                utf8 = utf8.dropFirst()
                switch escaped {
                case UInt8(ascii: "n"): bytes.append(0x0a)
                case UInt8(ascii: "r"): bytes.append(0x0d)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "a"): bytes.append(0x07)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "x"):
                    let hex = String(decoding: utf8.prefix(2), as: UTF8.self)
                    guard hex.count == 2, let value = UInt8(hex, radix: 16) else {
                        throw PlacementError.badClusterDump(line: line, "bad \\x escape")
                    }
                    bytes.append(value)
                    utf8 = utf8.dropFirst(2)
                default: bytes.append(escaped)
                }
            default: bytes.append(byte)
            }
        }
        throw PlacementError.badClusterDump(line: line, "unterminated quoted string")
    }
}
