#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads JSON text in place, value by value, for the big arrays of the result document: the
/// caller asks for what it expects next (`nextMember`, `int`, `string`…) and builds its own
/// values, with no tree and no copies of the text. Strict JSON (RFC 8259); errors say what was
/// expected at which byte, and callers add where in the document (`JSONScanError.within`).
///
/// The bytes must stay valid while the scanner is used.
public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer
    /// Where the next value starts (after any whitespace).
    @usableFromInline var position = 0
    public var offset: Int { position }
    /// Nesting deeper than this is refused rather than risking the stack in `skipValue`.
    static let maximumDepth = 512

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Where an object's or array's members are: whether the first is still to come.
    public struct Cursor {
        @usableFromInline var first = true
        @usableFromInline init() {}
    }

    /// A string's bytes (a member name or a value): a slice of the text, or decoded when it had escapes.
    public struct Text: CustomStringConvertible {
        /// The bytes between the quotes as written, escapes included.
        public let raw: UnsafeRawBufferPointer
        @usableFromInline let decoded: [UInt8]?

        @usableFromInline init(raw: UnsafeRawBufferPointer, decoded: [UInt8]?) {
            self.raw = raw
            self.decoded = decoded
        }

        /// Inlined: member dispatch compares every name with a few literals.
        @inlinable
        public static func == (name: Text, text: StaticString) -> Bool {
            let other = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            if let decoded = name.decoded { return decoded.elementsEqual(other) }
            guard name.raw.count == other.count else { return false }
            guard let a = name.raw.baseAddress, let b = other.baseAddress else { return other.isEmpty }
            return memcmp(a, b, other.count) == 0
        }

        /// The name's bytes (valid while the scanner's bytes are).
        public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            if let decoded { return try decoded.withUnsafeBytes(body) }
            return try body(raw)
        }

        public var description: String { withBytes { String(decoding: $0, as: UTF8.self) } }
    }

    // MARK: Structure

    @inlinable
    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default: return
            }
        }
    }

    /// The next significant byte, not consumed; nil at the end of the text.
    public mutating func peek() -> UInt8? {
        skipSpace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    public func error(_ message: String) -> JSONScanError {
        JSONScanError(message: message, offset: offset)
    }

    @inlinable
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { throw error("expected \(what)") }
        position += 1
    }

    @inlinable
    public mutating func beginObject() throws -> Cursor {
        try expect(UInt8(ascii: "{"), "an object")
        return Cursor()
    }

    /// The next member's name (its `:` consumed; the caller reads the value), or nil after `}`.
    @inlinable
    public mutating func nextMember(_ cursor: inout Cursor) throws -> Text? {
        skipSpace()
        guard offset < bytes.count else { throw error("expected a member or }") }
        if bytes[offset] == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        if !cursor.first { try expect(UInt8(ascii: ","), ", or }") }
        cursor.first = false
        skipSpace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name") }
        let name = try stringBytes()
        try expect(UInt8(ascii: ":"), ":")
        return name
    }

    @inlinable
    public mutating func beginArray() throws -> Cursor {
        try expect(UInt8(ascii: "["), "an array")
        return Cursor()
    }

    /// Whether another element follows (the caller reads it); false after `]`.
    @inlinable
    public mutating func nextElement(_ cursor: inout Cursor) throws -> Bool {
        skipSpace()
        guard offset < bytes.count else { throw error("expected an element or ]") }
        if bytes[offset] == UInt8(ascii: "]") {
            position += 1
            return false
        }
        if !cursor.first { try expect(UInt8(ascii: ","), ", or ]") }
        cursor.first = false
        return true
    }

    /// Reads an object member by member: `member` reads the value of a name it knows and returns
    /// true, or returns false and the value is skipped. An error names the member.
    @inlinable
    public mutating func object(_ member: (Text, inout JSONScanner) throws -> Bool) throws {
        var cursor = try beginObject()
        while let name = try nextMember(&cursor) {
            do {
                if try !member(name, &self) { try skipValue() }
            } catch let error as JSONScanError {
                throw error.within(".\(name)")
            }
        }
    }

    /// A member that `object` should have met.
    @inlinable
    public func required<Value>(_ value: Value?, _ name: StaticString) throws -> Value {
        guard let value else { throw error("missing \(name)") }
        return value
    }

    /// An array of values each read by `element`; an error names the element's index.
    @inlinable
    public mutating func array<Element>(_ element: (inout JSONScanner) throws -> Element) throws -> [Element] {
        var cursor = try beginArray()
        var elements: [Element] = []
        while try nextElement(&cursor) {
            do {
                elements.append(try element(&self))
            } catch let error as JSONScanError {
                throw error.within("[\(elements.count)]")
            }
        }
        return elements
    }

    /// Consumes `null` if it comes next.
    @inlinable
    public mutating func null() -> Bool {
        skipSpace()
        guard offset + 4 <= bytes.count, bytes[offset] == UInt8(ascii: "n"), bytes[offset + 1] == UInt8(ascii: "u"),
            bytes[offset + 2] == UInt8(ascii: "l"), bytes[offset + 3] == UInt8(ascii: "l")
        else { return false }
        position += 4
        return true
    }

    public mutating func bool() throws -> Bool {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw error("expected true or false")
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        for index in 0..<count where bytes[offset + index] != text.utf8Start[index] { return false }
        position += count
        return true
    }

    /// Skips one value of any kind, checking its syntax.
    public mutating func skipValue() throws {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth)") }
        guard let next = peek() else { throw error("expected a value") }
        switch next {
        case UInt8(ascii: "{"):
            var cursor = try beginObject()
            while try nextMember(&cursor) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            var cursor = try beginArray()
            while try nextElement(&cursor) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            _ = try stringBytes()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool()
        case UInt8(ascii: "n"):
            guard null() else { throw error("expected a value") }
        default:
            _ = try numberToken()
        }
    }

    /// The text of the next value (whitespace around it excluded).
    public mutating func valueBytes() throws -> UnsafeRawBufferPointer {
        skipSpace()
        let start = offset
        try skipValue()
        return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    /// Only whitespace may follow.
    public mutating func end() throws {
        skipSpace()
        guard offset == bytes.count else { throw error("unexpected text after the document") }
    }

    // MARK: Strings

    /// The next string's bytes.
    public mutating func stringBytes() throws -> Text {
        try expect(UInt8(ascii: "\""), "a string")
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
                position += 1
                return Text(raw: raw, decoded: nil)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw error("control byte in a string") }
            position += 1
        }
        var decoded = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return Text(raw: UnsafeRawBufferPointer(rebasing: bytes[start..<offset - 1]), decoded: decoded)
            case UInt8(ascii: "\\"):
                try unescape(into: &decoded)
            case 0..<0x20:
                position -= 1
                throw error("control byte in a string")
            default:
                decoded.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func unescape(into decoded: inout [UInt8]) throws {
        guard offset < bytes.count else { throw error("unterminated string") }
        let escape = bytes[offset]
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0c)
        case UInt8(ascii: "n"): decoded.append(0x0a)
        case UInt8(ascii: "r"): decoded.append(0x0d)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard literal("\\u") else { throw error("unpaired surrogate in \\u escape") }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("unpaired surrogate in \\u escape") }
            decoded.append(contentsOf: UTF8.encode(unicode) ?? UTF8.EncodedScalar())
        default:
            position -= 1
            throw error("unknown escape in a string")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("bad hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// A string value; its bytes must be UTF-8.
    public mutating func string() throws -> String {
        let start = offset
        let text = try stringBytes()
        guard let value = text.withBytes({ String(validating: $0, as: UTF8.self) }) else {
            position = start
            throw error("string is not UTF-8")
        }
        return value
    }

    /// A key from a `key` member (its text) or a `keyBase64` member (`base64: true`), as `Key`'s
    /// `Codable` form writes them.
    public mutating func key(base64: Bool) throws -> Key {
        let start = offset
        let text = try stringBytes()
        if base64 {
            guard let bytes = text.withBytes({ Base64.decode(bytes: $0) }) else {
                position = start
                throw error("keyBase64 is not valid base64")
            }
            return Key(bytes)
        }
        guard text.withBytes(Key.isUTF8) else {
            position = start
            throw error("string is not UTF-8")
        }
        return text.withBytes { Key($0) }
    }

    // MARK: Numbers

    /// The next number's text, its syntax checked.
    private mutating func numberToken() throws -> (text: UnsafeRawBufferPointer, integer: Bool) {
        skipSpace()
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { position += 1 }
        guard try digits() else { throw error("expected a number") }
        var integer = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            position += 1
            integer = false
            guard try digits() else { throw error("expected digits after the decimal point") }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            position += 1
            integer = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { position += 1 }
            guard try digits() else { throw error("expected digits in the exponent") }
        }
        return (UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), integer)
    }

    private mutating func digits() throws -> Bool {
        let start = offset
        while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { position += 1 }
        return offset > start
    }

    public mutating func double() throws -> Double {
        let (text, _) = try numberToken()
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Double in
            for (index, byte) in text.enumerated() { buffer[index] = CChar(bitPattern: byte) }
            buffer[text.count] = 0
            guard let base = buffer.baseAddress else { return .nan }
            return strtod(base, nil)
        }
        guard value.isFinite else {
            position -= text.count
            throw error("number out of range")
        }
        return value
    }

    /// An integer; a number with a fraction or exponent is accepted when its value is integral (as JSONDecoder does).
    public mutating func int() throws -> Int {
        skipSpace()
        let start = offset
        let negative = offset < bytes.count && bytes[offset] == UInt8(ascii: "-")
        let magnitude = try uint64(allowingSign: true)
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else {
                position = start
                throw error("number out of range")
            }
            return magnitude == UInt64(Int.max) + 1 ? .min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else {
            position = start
            throw error("number out of range")
        }
        return Int(magnitude)
    }

    public mutating func int64() throws -> Int64 { Int64(try int()) }

    public mutating func uint64() throws -> UInt64 { try uint64(allowingSign: false) }

    public mutating func uint32() throws -> UInt32 {
        let start = offset
        let value = try uint64()
        guard let narrow = UInt32(exactly: value) else {
            position = start
            throw error("number out of range")
        }
        return narrow
    }

    public mutating func uint8() throws -> UInt8 {
        let start = offset
        let value = try uint64()
        guard let narrow = UInt8(exactly: value) else {
            position = start
            throw error("number out of range")
        }
        return narrow
    }

    /// The magnitude of an integer (a leading `-` only when `allowingSign`; `-0` is 0).
    private mutating func uint64(allowingSign: Bool) throws -> UInt64 {
        skipSpace()
        let start = offset
        let (text, integer) = try numberToken()
        let negative = text.first == UInt8(ascii: "-")
        guard !negative || allowingSign else {
            position = start
            throw error("expected a number ≥ 0")
        }
        if integer {
            var value: UInt64 = 0
            for byte in text.dropFirst(negative ? 1 : 0) {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
                guard !overflow, !overflow2 else {
                    position = start
                    throw error("number out of range")
                }
                value = sum
            }
            return value
        }
        position = start
        let value = try double()
        guard let magnitude = UInt64(exactly: value.magnitude) else {
            position = start
            throw error("expected an integer")
        }
        return magnitude
    }
}

/// Malformed or unexpected JSON: what was expected, at which byte, and where in the document.
public struct JSONScanError: Error, CustomStringConvertible {
    public var message: String
    public var offset: Int
    /// `.summaryState.keys[3].count` style, outermost first.
    public var path = ""

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The error placed inside `component` (`.name` or `[index]`).
    public func within(_ component: String) -> JSONScanError {
        var copy = self
        copy.path = component + path
        return copy
    }

    public var description: String {
        path.isEmpty ? "\(message) at byte \(offset)" : "\(path): \(message) at byte \(offset)"
    }
}
