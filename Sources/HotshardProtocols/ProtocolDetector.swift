import HotshardBytes

/// Recognises a flow's protocol from the first bytes the client sent.
public enum ProtocolDetector {
    private static let httpMethods: [[UInt8]] = [
        "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ",
        "CONNECT ", "TRACE ",
    ].map { Array($0.utf8) }
    private static let memcachedVerbs: [[UInt8]] = [
        "get ", "gets ", "gat ", "gats ", "set ", "add ", "replace ",
        "append ", "prepend ", "cas ", "delete ", "incr ", "decr ",
        "touch ", "mg ", "ms ", "md ", "ma ", "mn", "me ", "stats",
        "version", "flush_all", "verbosity ",
    ].map { Array($0.utf8) }
    private static let redisInline: [[UInt8]] = [
        "PING", "GET ", "SET ", "INCR ", "DEL ", "LPUSH ", "RPUSH ", "HGET ",
        "HSET ", "MGET ", "EXISTS ", "EXPIRE ", "INFO", "AUTH ", "SELECT ",
        "LRANGE ", "SADD ",
    ].map { Array($0.utf8) }

    private static let amqpHeader: [UInt8] = Array("AMQP".utf8)

    /// Nil when the bytes fit no protocol (yet).
    public static func detect(_ bytes: ByteView) -> WireProtocol? {
        guard let first = bytes.first else { return nil }
        // AMQP 0-9-1 opens with its protocol header, `AMQP\0\0\9\1`.
        if hasPrefix(bytes, amqpHeader, ignoringCase: false) { return .amqp }
        if first == UInt8(ascii: "*"), bytes.count > 1, bytes[1] >= 0x30, bytes[1] <= 0x39 { return .resp }
        if first == 0x80, bytes.count >= 24 { return .memcached }
        if httpMethods.contains(where: { hasPrefix(bytes, $0, ignoringCase: false) }) {
            // "GET /path HTTP/1.x" is HTTP; "GET key" is Redis inline or memcached.
            if contains(bytes, Array(" HTTP/1.".utf8)) { return .http }
        }
        if memcachedVerbs.contains(where: { hasPrefix(bytes, $0, ignoringCase: false) }) { return .memcached }
        if redisInline.contains(where: { hasPrefix(bytes, $0, ignoringCase: true) }) { return .resp }
        return nil
    }

    private static func hasPrefix(_ bytes: ByteView, _ prefix: [UInt8], ignoringCase: Bool) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        for (index, expected) in prefix.enumerated() {
            let byte = ignoringCase ? asciiUppercased(bytes[index]) : bytes[index]
            if byte != expected { return false }
        }
        return true
    }

    private static func contains(_ bytes: ByteView, _ needle: [UInt8]) -> Bool {
        let limit = min(bytes.count, 8192)
        guard limit >= needle.count else { return false }
        for start in 0...(limit - needle.count) {
            var match = true
            for (offset, expected) in needle.enumerated() where bytes[start + offset] != expected {
                match = false
                break
            }
            if match { return true }
        }
        return false
    }
}
