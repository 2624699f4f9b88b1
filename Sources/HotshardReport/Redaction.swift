import Crypto
import Foundation
import HotshardProtocols

/// Replaces keys with a keyed hash (HMAC-SHA256, first 64 bits as hex) for results that leave the
/// team. The same key always maps to the same token under one secret, so rankings, windows and
/// recommendations still line up; without the secret the keys cannot be recovered or confirmed by
/// guessing. With `keepPrefix`, the bytes up to and including the first delimiter stay readable
/// (`user:#3f9a…`). The HMAC covers the whole key, so keys differing only after the prefix stay distinct.
public struct KeyRedactor: Sendable {
    private let secret: [UInt8]
    /// Whether the bytes up to and including the first `delimiter` stay readable.
    public let keepPrefix: Bool
    /// The byte that ends a kept prefix (`:` by default).
    public let delimiter: UInt8
    /// Whether the secret was drawn at random for this run (tokens then match only within this run).
    public let randomSecret: Bool

    /// `secret` nil draws a random 256-bit secret.
    public init(secret: String?, keepPrefix: Bool, delimiter: UInt8 = UInt8(ascii: ":")) {
        if let secret {
            self.secret = Array(secret.utf8)
            randomSecret = false
        } else {
            self.secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            randomSecret = true
        }
        self.keepPrefix = keepPrefix
        self.delimiter = delimiter
    }

    /// The redacted form of `key`: `[prefix]#` and 16 hex digits.
    public func redact(_ key: Key) -> Key {
        let mac = HMAC<SHA256>.authenticationCode(for: key.bytes, using: SymmetricKey(data: secret))
        var out: [UInt8] = []
        if keepPrefix, let end = key.bytes.firstIndex(of: delimiter) {
            out += key.bytes[...end]
        }
        out.append(UInt8(ascii: "#"))
        let digits = Array("0123456789abcdef".utf8)
        for byte in mac.prefix(8) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return Key(out)
    }

    /// `document` with every key replaced: hot keys, window top lists, emerging keys, queues and
    /// their routing keys, keys in recommendations and (unless prefixes are kept) prefix groups. The mergeable summary state is
    /// dropped — it holds raw keys and sketches of them — so a redacted result cannot be merged.
    public func redact(_ document: ResultDocument) -> ResultDocument {
        var result = document
        for index in result.hotKeys.indices { result.hotKeys[index].key = redact(result.hotKeys[index].key) }
        for index in result.windows.series.indices {
            for entry in result.windows.series[index].top.indices {
                result.windows.series[index].top[entry].key = redact(result.windows.series[index].top[entry].key)
            }
        }
        if let emerging = result.emerging {
            result.emerging = emerging.map { key in
                var key = key
                key.key = redact(key.key)
                return key
            }
        }
        if !keepPrefix, let groups = result.prefixGroups {
            result.prefixGroups = groups.map { group in
                var group = group
                group.prefix = redact(group.prefix)
                return group
            }
        }
        if var model = result.model {
            for index in model.recommendations.indices {
                if let key = model.recommendations[index].key { model.recommendations[index].key = redact(key) }
            }
            if var layout = model.observedLayout {
                for index in layout.misplaced.indices { layout.misplaced[index].key = redact(layout.misplaced[index].key) }
                model.observedLayout = layout
            }
            model.keysOverFairShare = model.keysOverFairShare?.map { entry in
                var entry = entry
                entry.key = redact(entry.key)
                return entry
            }
            result.model = model
        }
        result.queues = result.queues?.map { queue in
            var queue = queue
            queue.queue = redact(queue.queue)
            for index in queue.sources.indices { queue.sources[index].routingKey = redact(queue.sources[index].routingKey) }
            return queue
        }
        result.summaryState = nil
        result.redaction = ResultDocument.Redaction(
            method: "HMAC-SHA256, first 64 bits", secret: randomSecret ? "random, this run only" : "given",
            prefixKept: keepPrefix, delimiter: keepPrefix ? String(decoding: [delimiter], as: UTF8.self) : nil)
        return result
    }
}

extension ResultDocument {
    /// How the keys of a redacted result were replaced.
    public struct Redaction: Codable, Sendable, Equatable {
        /// How tokens are made ("HMAC-SHA256, first 64 bits").
        public var method: String
        /// Where the secret came from ("random, this run only" or "given"), never the secret itself.
        public var secret: String
        /// Whether prefixes were kept readable.
        public var prefixKept: Bool
        /// The prefix delimiter, when prefixes were kept.
        public var delimiter: String?

        /// One sentence for a reader.
        public var sentence: String {
            "Keys are redacted: each is replaced by the first 64 bits of its \(method.hasPrefix("HMAC") ? "HMAC-SHA256" : method) under a \(secret == "given" ? "secret key" : "random per-run key")"
                + (prefixKept ? ", keeping the part up to the first \"\(delimiter ?? ":")\"." : ".")
                + " Equal tokens mean equal keys within this report."
        }
    }
}
