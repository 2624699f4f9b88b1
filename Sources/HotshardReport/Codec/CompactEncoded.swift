import HotshardCapture
import HotshardProtocols

/// A member of a result stored compactly: `BinaryEncoder`, deflated, base64 in the document —
/// `{"codec": "hotshard-binary/1", "compression": "zlib", "bytes": N, "data": "…"}`. Used for
/// what a program reads and a person does not (the mergeable summary state): the document stays
/// small and readable, and reading it back costs a fraction of parsing the same data as JSON.
/// A plain JSON value in its place (results of schema version 1) is still read.
@propertyWrapper
public struct CompactEncoded<Value: Codable & Sendable>: Codable, Sendable {
    /// The value; nil writes JSON null (and, in a keyed container, no member at all).
    public var wrappedValue: Value?

    /// Wraps `wrappedValue` for compact storage.
    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    static var codec: String { "hotshard-binary/1" }

    private enum CodingKeys: String, CodingKey { case codec, compression, bytes, data }

    /// Writes the value as binary, deflated and base64 in the JSON object above; nil as null.
    public func encode(to encoder: any Encoder) throws {
        guard let wrappedValue else {
            var container = encoder.singleValueContainer()
            try container.encodeNil()
            return
        }
        let binary = try BinaryEncoder.encode(wrappedValue)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.codec, forKey: .codec)
        try container.encode("zlib", forKey: .compression)
        try container.encode(binary.count, forKey: .bytes)
        try container.encode(Base64.encode(try Deflate.compress(binary)), forKey: .data)
    }

    /// Reads the compact object, a plain JSON value (schema version 1) or null. An unknown codec or
    /// compression, bad base64 or damaged data is a `DecodingError.dataCorrupted` naming the member.
    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            wrappedValue = nil
            return
        }
        guard let container = try? decoder.container(keyedBy: CodingKeys.self), container.contains(.codec) else {
            // Schema version 1 wrote the value itself.
            wrappedValue = try Value(from: decoder)
            return
        }
        let codec = try container.decode(String.self, forKey: .codec)
        guard codec == Self.codec else {
            throw DecodingError.dataCorruptedError(
                forKey: .codec, in: container, debugDescription: "unknown codec \(codec) (this hotshard reads \(Self.codec))")
        }
        let compression = try container.decode(String.self, forKey: .compression)
        guard compression == "zlib" else {
            throw DecodingError.dataCorruptedError(
                forKey: .compression, in: container, debugDescription: "unknown compression \(compression)")
        }
        guard let packed = Base64.decode(try container.decode(String.self, forKey: .data)) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: "data is not valid base64")
        }
        let binary: [UInt8]
        do {
            binary = try Deflate.decompress(packed, expectedSize: try container.decode(Int.self, forKey: .bytes))
        } catch let failure as Deflate.Failure {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: failure.description)
        }
        wrappedValue = try BinaryDecoder.decode(Value.self, from: binary)
    }
}

extension KeyedDecodingContainer {
    /// An absent member is an absent value, as for an optional.
    public func decode<Value>(_ type: CompactEncoded<Value>.Type, forKey key: Key) throws -> CompactEncoded<Value> {
        try decodeIfPresent(type, forKey: key) ?? CompactEncoded(wrappedValue: nil)
    }
}

extension KeyedEncodingContainer {
    /// An absent value writes no member, as for an optional.
    public mutating func encode<Value>(_ value: CompactEncoded<Value>, forKey key: Key) throws {
        guard value.wrappedValue != nil else { return }
        try encodeIfPresent(value as CompactEncoded<Value>?, forKey: key)
    }
}
