/// `Key`'s `Codable` form written straight to a `JSONOutput`, byte for byte as JSONEncoder writes
/// it: `"key":text` when the bytes are UTF-8, else `"keyBase64":…`.
extension Key {
    /// The key's member of an enclosing object (the caller writes the braces and commas).
    public func writeJSONMember(to output: JSONOutput) throws {
        try withUnsafeBytes { bytes in
            if Key.isUTF8(bytes) {
                try output.raw("\"key\":")
                try output.string(utf8: bytes)
            } else {
                try output.raw("\"keyBase64\":")
                try output.string(Base64.encode(bytes))
            }
        }
    }

    /// The key as an object of its own, `{"key":…}`.
    public func writeJSONObject(to output: JSONOutput) throws {
        try output.byte(UInt8(ascii: "{"))
        try writeJSONMember(to: output)
        try output.byte(UInt8(ascii: "}"))
    }

    /// Whether `bytes` are valid UTF-8 (what `utf8Text` checks), without making a String for ASCII.
    public static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}

extension Key {
    /// Reads a key object, `{"key":…}` or `{"keyBase64":…}` (`key` wins when both are there, as in
    /// `init(from:)`).
    public init(json scanner: inout JSONScanner) throws {
        var text: Key?
        var base64: Key?
        try scanner.object { name, scanner in
            if name == "key" {
                if !scanner.null() { text = try scanner.key(base64: false) }
            } else if name == "keyBase64" {
                base64 = try scanner.key(base64: true)
            } else {
                return false
            }
            return true
        }
        self = try scanner.required(text ?? base64, "keyBase64")
    }
}
