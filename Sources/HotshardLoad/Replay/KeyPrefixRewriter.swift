import HotshardProtocols

/// Applies a `KeyRewrite` to a request's wire bytes: every argument that is one of the message's
/// keys (in request order) is replaced and the framing (RESP lengths, memcached binary key and
/// body lengths) is written anew. Nil when the encoding is not one it can rewrite safely.
enum KeyPrefixRewriter {
    static func rewrite(_ bytes: [UInt8], message: Message, with rule: KeyRewrite) -> [UInt8]? {
        let keys = message.keys.map { $0.key.bytes }
        if keys.isEmpty { return bytes }
        switch message.wireProtocol {
        case .resp: return resp(bytes, keys: keys, rule: rule)
        case .memcached:
            return bytes.first == 0x80 ? memcachedBinary(bytes, rule: rule) : textLine(bytes, keys: keys, rule: rule)
        case .http: return http(bytes, keys: keys, rule: rule)
        case .amqp: return amqpPublish(bytes, rule: rule)
        }
    }

    /// A basic.publish method frame with its routing key rewritten (the exchange is not a key).
    /// Nil when the bytes are not one such frame or the new key is over 255 bytes.
    static func amqpPublish(_ bytes: [UInt8], rule: KeyRewrite) -> [UInt8]? {
        // type, channel (2), size (4); class 60, method 40, reserved short; exchange, routing key, bits; 0xCE.
        guard bytes.count >= 16, bytes[0] == 1, bytes[7] == 0, bytes[8] == 60, bytes[9] == 0, bytes[10] == 40 else { return nil }
        var index = 13
        let exchangeLength = Int(bytes[index])
        index += 1 + exchangeLength
        guard index < bytes.count else { return nil }
        let keyLength = Int(bytes[index])
        let keyStart = index + 1
        guard keyStart + keyLength + 2 == bytes.count else { return nil }
        let key = rule.apply(Array(bytes[keyStart..<(keyStart + keyLength)]))
        guard key.count <= 255 else { return nil }
        var payload = Array(bytes[7..<index])
        payload.append(UInt8(key.count))
        payload += key
        payload.append(bytes[bytes.count - 2])
        var out = Array(bytes[0..<3])
        let size = payload.count
        out += [
            UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8),
            UInt8(truncatingIfNeeded: size),
        ]
        out += payload
        out.append(0xCE)
        return out
    }

    /// Replaces the arguments that are the keys, in order (the first argument, the command, never is).
    private static func replaceKeys(_ arguments: inout [[UInt8]], keys: [[UInt8]], rule: KeyRewrite, from start: Int) {
        var next = 0
        for index in arguments.indices where index >= start && next < keys.count {
            if arguments[index] == keys[next] {
                arguments[index] = rule.apply(arguments[index])
                next += 1
            }
        }
    }

    static func resp(_ bytes: [UInt8], keys: [[UInt8]], rule: KeyRewrite) -> [UInt8]? {
        var arguments: [[UInt8]] = []
        if bytes.first == UInt8(ascii: "*") {
            var index = 0
            guard let count = number(bytes, &index, after: UInt8(ascii: "*")), count >= 0, count <= 1 << 20 else { return nil }
            for _ in 0..<count {
                guard let length = number(bytes, &index, after: UInt8(ascii: "$")), length >= 0,
                    index + length + 2 <= bytes.count
                else { return nil }
                arguments.append(Array(bytes[index..<(index + length)]))
                index += length + 2
            }
            guard index == bytes.count else { return nil }
        } else {
            // Inline command: words; sent on as a RESP array.
            var line = bytes[...]
            while let last = line.last, last == 0x0a || last == 0x0d { line = line.dropLast() }
            arguments = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map(Array.init)
        }
        replaceKeys(&arguments, keys: keys, rule: rule, from: 1)
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [0x0d, 0x0a]
        }
        return out
    }

    /// `*12\r\n` style header at `index`: the number, with `index` moved past the CRLF.
    private static func number(_ bytes: [UInt8], _ index: inout Int, after marker: UInt8) -> Int? {
        guard index < bytes.count, bytes[index] == marker else { return nil }
        var cursor = index + 1
        var value = 0
        var digits = 0
        while cursor < bytes.count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39, digits < 12 {
            value = value * 10 + Int(bytes[cursor] - 0x30)
            digits += 1
            cursor += 1
        }
        guard digits > 0, cursor + 1 < bytes.count, bytes[cursor] == 0x0d, bytes[cursor + 1] == 0x0a else { return nil }
        index = cursor + 2
        return value
    }

    /// memcached text and meta: the command line's words; the data block after it is kept as is.
    static func textLine(_ bytes: [UInt8], keys: [[UInt8]], rule: KeyRewrite) -> [UInt8]? {
        guard let newline = bytes.firstIndex(of: 0x0a) else { return nil }
        var end = newline
        if end > 0, bytes[end - 1] == 0x0d { end -= 1 }
        var words = bytes[..<end].split(separator: 0x20).map(Array.init)
        let before = words
        replaceKeys(&words, keys: keys, rule: rule, from: 1)
        // A key that is not a word of the line (meta base64 keys) cannot be rewritten here.
        if rule.apply(keys[0]) != keys[0], words == before { return nil }
        var out: [UInt8] = []
        for (index, word) in words.enumerated() {
            if index > 0 { out.append(0x20) }
            out += word
        }
        out += [0x0d, 0x0a]
        out += bytes[(newline + 1)...]
        return out
    }

    /// memcached binary: the key after the extras; key length and body length rewritten.
    static func memcachedBinary(_ bytes: [UInt8], rule: KeyRewrite) -> [UInt8]? {
        guard bytes.count >= 24 else { return nil }
        let keyLength = Int(bytes[2]) << 8 | Int(bytes[3])
        let extras = Int(bytes[4])
        let body = Int(bytes[8]) << 24 | Int(bytes[9]) << 16 | Int(bytes[10]) << 8 | Int(bytes[11])
        guard keyLength > 0, 24 + body == bytes.count, extras + keyLength <= body else { return keyLength == 0 ? bytes : nil }
        let keyStart = 24 + extras
        let key = rule.apply(Array(bytes[keyStart..<(keyStart + keyLength)]))
        guard key.count <= 0xffff else { return nil }
        let newBody = body - keyLength + key.count
        var out = Array(bytes[0..<keyStart])
        out[2] = UInt8(truncatingIfNeeded: key.count >> 8)
        out[3] = UInt8(truncatingIfNeeded: key.count)
        out[8] = UInt8(truncatingIfNeeded: newBody >> 24)
        out[9] = UInt8(truncatingIfNeeded: newBody >> 16)
        out[10] = UInt8(truncatingIfNeeded: newBody >> 8)
        out[11] = UInt8(truncatingIfNeeded: newBody)
        out += key
        out += bytes[(keyStart + keyLength)...]
        return out
    }

    /// HTTP: the key is (part of) the request target; the target's leading key is rewritten.
    static func http(_ bytes: [UInt8], keys: [[UInt8]], rule: KeyRewrite) -> [UInt8]? {
        guard let firstSpace = bytes.firstIndex(of: 0x20),
            let secondSpace = bytes[(firstSpace + 1)...].firstIndex(of: 0x20)
        else { return nil }
        let target = Array(bytes[(firstSpace + 1)..<secondSpace])
        let key = keys[0]
        guard target.starts(with: key) else { return nil }
        var rewritten = rule.apply(key)
        if rewritten.first != UInt8(ascii: "/") { rewritten.insert(UInt8(ascii: "/"), at: 0) }
        return Array(bytes[...firstSpace]) + rewritten + target.dropFirst(key.count) + bytes[secondSpace...]
    }
}
