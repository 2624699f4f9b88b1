extension Key {
    /// The key as a person sees it, in a terminal or a page: printable characters of valid UTF-8
    /// as themselves (`é{ü}` stays `é{ü}`), a backslash as `\\`, and every other byte as `\xNN`:
    /// control characters (C0, DEL, C1), invalid UTF-8, and the bytes of invisible or
    /// direction-changing characters (format, separator, private-use and unassigned scalars,
    /// non-ASCII spaces), which a terminal would act on or a reader would misread. O(n).
    public var escaped: String { Self.escaped(bytes) }

    /// `escaped` for any bytes from the input (commands, paths, keys).
    public static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "\\" {
                    out += "\\\\"
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    for byte in encoded { appendHex(byte, to: &out) }
                }
                offset += encoded.count
            case .error(let length):
                for index in offset..<min(offset + length, bytes.count) { appendHex(bytes[index], to: &out) }
                offset += length
            case .emptyInput:
                return out
            }
        }
    }

    /// Whether a scalar can be shown as itself without hiding, reordering or breaking text.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value < 0x7f }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate,
            .privateUse, .unassigned:
            return false
        default:
            return !scalar.properties.isNoncharacterCodePoint
        }
    }

    private static func appendHex(_ byte: UInt8, to out: inout String) {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        out += "\\x"
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
}
