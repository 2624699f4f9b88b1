/// A key encodes as `{"key": text}` when its bytes are valid UTF-8, else `{"keyBase64": …}`,
/// the result document's convention.
extension Key: Codable {
    private enum CodingKeys: String, CodingKey { case key, keyBase64 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .key) {
            self.init(text)
        } else {
            let encoded = try container.decode(String.self, forKey: .keyBase64)
            guard let bytes = Base64.decode(encoded) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .keyBase64, in: container,
                    debugDescription: "keyBase64 is not valid base64")
            }
            self.init(bytes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let text = utf8Text {
            try container.encode(text, forKey: .key)
        } else {
            try container.encode(Base64.encode(bytes), forKey: .keyBase64)
        }
    }
}
