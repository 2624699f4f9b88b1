/// Reads a value written by `BinaryEncoder`. The input is untrusted: every length and offset is
/// checked, and an error names the member it was reading (`.keys[12].statistics: …`).
public enum BinaryDecoder {
    /// The value `bytes` encode; throws, naming the member, on anything malformed or of the wrong type.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let input = try BinaryInput(bytes)
        return try input.decodeValue(type, at: BinaryFormat.headerSize, codingPath: [])
    }
}

/// The bytes, the key table, and the reading of values shared by every container.
final class BinaryInput {
    let bytes: [UInt8]
    /// Where the root value and the key table end.
    let valuesEnd: Int
    let keyNames: [String]
    private let keyIndex: [String: Int]

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= BinaryFormat.headerSize, Array(bytes[0..<4]) == BinaryFormat.magic else {
            throw Self.corrupt([], "not a hotshard binary value (no HSB1 header)")
        }
        var offset: UInt64 = 0
        for byte in 0..<8 { offset |= UInt64(bytes[4 + byte]) << (8 * UInt64(byte)) }
        guard offset >= UInt64(BinaryFormat.headerSize), offset <= UInt64(bytes.count) else {
            throw Self.corrupt([], "key table offset \(offset) is outside the \(bytes.count) bytes")
        }
        valuesEnd = Int(offset)
        var cursor = valuesEnd
        let count = try Self.varint(bytes, &cursor, end: bytes.count, path: [])
        guard count <= UInt64(bytes.count) else { throw Self.corrupt([], "key table claims \(count) keys") }
        var names: [String] = []
        var index: [String: Int] = [:]
        for _ in 0..<Int(count) {
            let length = try Self.varint(bytes, &cursor, end: bytes.count, path: [])
            guard length <= UInt64(bytes.count - cursor) else { throw Self.corrupt([], "key table runs past the end") }
            let name = String(decoding: bytes[cursor..<cursor + Int(length)], as: UTF8.self)
            cursor += Int(length)
            index[name] = names.count
            names.append(name)
        }
        keyNames = names
        keyIndex = index
    }

    func keyID(_ name: String) -> Int? { keyIndex[name] }

    static func corrupt(_ path: [any CodingKey], _ why: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: why))
    }

    static func varint(_ bytes: [UInt8], _ cursor: inout Int, end: Int, path: [any CodingKey]) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < end {
            let byte = bytes[cursor]
            cursor += 1
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw corrupt(path, "a number runs past its end")
    }

    func tag(at offset: Int, path: [any CodingKey]) throws -> BinaryFormat.Tag {
        guard offset < valuesEnd else { throw Self.corrupt(path, "a value runs past the end") }
        guard let tag = BinaryFormat.Tag(rawValue: bytes[offset]) else {
            throw Self.corrupt(path, "unknown value tag \(bytes[offset]) at byte \(offset)")
        }
        return tag
    }

    func u32(at offset: Int, path: [any CodingKey]) throws -> Int {
        guard offset >= 0, offset + 4 <= valuesEnd else { throw Self.corrupt(path, "a container header runs past the end") }
        var value = 0
        for byte in 0..<4 { value |= Int(bytes[offset + byte]) << (8 * byte) }
        return value
    }

    /// The offset just after the value at `offset`.
    func skip(at offset: Int, path: [any CodingKey]) throws -> Int {
        var cursor = offset + 1
        switch try tag(at: offset, path: path) {
        case .null, .falseValue, .trueValue: break
        case .int, .uint: _ = try Self.varint(bytes, &cursor, end: valuesEnd, path: path)
        case .double: cursor += 8
        case .float: cursor += 4
        case .string:
            let length = try Self.varint(bytes, &cursor, end: valuesEnd, path: path)
            guard length <= UInt64(valuesEnd - cursor) else { throw Self.corrupt(path, "a string runs past the end") }
            cursor += Int(length)
        case .array, .object:
            cursor = offset + BinaryFormat.containerHeaderSize + (try u32(at: offset + 1, path: path))
        }
        guard cursor <= valuesEnd else { throw Self.corrupt(path, "a value runs past the end") }
        return cursor
    }

    /// A container's element count and body range, checked against the input.
    func container(at offset: Int, _ expected: BinaryFormat.Tag, path: [any CodingKey]) throws -> (count: Int, body: Range<Int>) {
        let found = try tag(at: offset, path: path)
        guard found == expected else {
            throw DecodingError.typeMismatch(
                expected == .object ? [String: Any].self : [Any].self,
                DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(found)"))
        }
        let length = try u32(at: offset + 1, path: path)
        let count = try u32(at: offset + 5, path: path)
        let start = offset + BinaryFormat.containerHeaderSize
        guard length <= valuesEnd - start, count <= length else { throw Self.corrupt(path, "a container runs past the end") }
        return (count, start..<start + length)
    }

    func decodeNil(at offset: Int, path: [any CodingKey]) throws -> Bool { try tag(at: offset, path: path) == .null }

    func integer(at offset: Int, path: [any CodingKey]) throws -> (signed: Int64?, unsigned: UInt64?) {
        var cursor = offset + 1
        switch try tag(at: offset, path: path) {
        case .int:
            let raw = try Self.varint(bytes, &cursor, end: valuesEnd, path: path)
            let value = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
            return (value, value >= 0 ? UInt64(value) : nil)
        case .uint:
            let value = try Self.varint(bytes, &cursor, end: valuesEnd, path: path)
            return (value <= UInt64(Int64.max) ? Int64(value) : nil, value)
        default:
            throw mismatch(Int.self, at: offset, path: path)
        }
    }

    func signed<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, path: [any CodingKey]) throws -> T {
        guard let value = try integer(at: offset, path: path).signed, let exact = T(exactly: value) else {
            throw Self.corrupt(path, "number does not fit \(T.self)")
        }
        return exact
    }

    func unsigned<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, path: [any CodingKey]) throws -> T {
        guard let value = try integer(at: offset, path: path).unsigned, let exact = T(exactly: value) else {
            throw Self.corrupt(path, "number does not fit \(T.self)")
        }
        return exact
    }

    func fixed(at offset: Int, bytes count: Int, path: [any CodingKey]) throws -> UInt64 {
        guard offset + 1 + count <= valuesEnd else { throw Self.corrupt(path, "a number runs past the end") }
        var value: UInt64 = 0
        for byte in 0..<count { value |= UInt64(bytes[offset + 1 + byte]) << (8 * UInt64(byte)) }
        return value
    }

    func double(at offset: Int, path: [any CodingKey]) throws -> Double {
        switch try tag(at: offset, path: path) {
        case .double: return Double(bitPattern: try fixed(at: offset, bytes: 8, path: path))
        case .float: return Double(Float(bitPattern: UInt32(try fixed(at: offset, bytes: 4, path: path))))
        default: throw mismatch(Double.self, at: offset, path: path)
        }
    }

    func float(at offset: Int, path: [any CodingKey]) throws -> Float {
        switch try tag(at: offset, path: path) {
        case .float: return Float(bitPattern: UInt32(try fixed(at: offset, bytes: 4, path: path)))
        case .double: return Float(Double(bitPattern: try fixed(at: offset, bytes: 8, path: path)))
        default: throw mismatch(Float.self, at: offset, path: path)
        }
    }

    func bool(at offset: Int, path: [any CodingKey]) throws -> Bool {
        switch try tag(at: offset, path: path) {
        case .trueValue: return true
        case .falseValue: return false
        default: throw mismatch(Bool.self, at: offset, path: path)
        }
    }

    func string(at offset: Int, path: [any CodingKey]) throws -> String {
        guard try tag(at: offset, path: path) == .string else { throw mismatch(String.self, at: offset, path: path) }
        var cursor = offset + 1
        let length = try Self.varint(bytes, &cursor, end: valuesEnd, path: path)
        guard length <= UInt64(valuesEnd - cursor) else { throw Self.corrupt(path, "a string runs past the end") }
        return String(decoding: bytes[cursor..<cursor + Int(length)], as: UTF8.self)
    }

    func mismatch(_ type: Any.Type, at offset: Int, path: [any CodingKey]) -> DecodingError {
        let found = (try? tag(at: offset, path: path)).map { "\($0)" } ?? "nothing"
        return .typeMismatch(type, DecodingError.Context(codingPath: path, debugDescription: "expected \(type), found \(found)"))
    }

    /// Reads one value: scalars and arrays of numbers directly, anything else through its
    /// `init(from:)`. The coding path is built only for an error or a nested decoder: building it
    /// per member cost an allocation each.
    func decodeValue<T: Decodable>(_ type: T.Type, at offset: Int, codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        // Told apart by type identity: dynamic casts cost more than the reading.
        do {
            switch ObjectIdentifier(T.self) {
            case ObjectIdentifier(Int.self): return unsafeBitCast(try signed(Int.self, at: offset, path: []), to: T.self)
            case ObjectIdentifier(Int64.self): return unsafeBitCast(try signed(Int64.self, at: offset, path: []), to: T.self)
            case ObjectIdentifier(UInt64.self): return unsafeBitCast(try unsigned(UInt64.self, at: offset, path: []), to: T.self)
            case ObjectIdentifier(Double.self): return unsafeBitCast(try double(at: offset, path: []), to: T.self)
            case ObjectIdentifier(String.self): return unsafeBitCast(try string(at: offset, path: []), to: T.self)
            case ObjectIdentifier(Bool.self): return unsafeBitCast(try bool(at: offset, path: []), to: T.self)
            case ObjectIdentifier([Int].self): return unsafeBitCast(try integers(Int.self, at: offset), to: T.self)
            case ObjectIdentifier([Int64].self): return unsafeBitCast(try integers(Int64.self, at: offset), to: T.self)
            case ObjectIdentifier([UInt64].self): return unsafeBitCast(try integers(UInt64.self, at: offset), to: T.self)
            case ObjectIdentifier([UInt32].self): return unsafeBitCast(try integers(UInt32.self, at: offset), to: T.self)
            case ObjectIdentifier([UInt8].self): return unsafeBitCast(try integers(UInt8.self, at: offset), to: T.self)
            case ObjectIdentifier([Double].self): return unsafeBitCast(try doubles(at: offset), to: T.self)
            default: break
            }
        } catch {
            throw Self.placed(error, at: codingPath())
        }
        return try T(from: BinaryValueDecoder(input: self, offset: offset, codingPath: codingPath()))
    }

    /// An array of integers read in one loop (the elements as `signed` / `unsigned` read them).
    private func integers<Element: FixedWidthInteger>(_ type: Element.Type, at offset: Int) throws -> [Element] {
        let (count, body) = try container(at: offset, .array, path: [])
        var result: [Element] = []
        result.reserveCapacity(count)
        var cursor = body.lowerBound
        for index in 0..<count {
            do {
                guard cursor < body.upperBound else { throw Self.corrupt([], "an element runs past its array") }
                let tag = bytes[cursor]
                cursor += 1
                let raw = try Self.varint(bytes, &cursor, end: body.upperBound, path: [])
                let value: Element?
                switch tag {
                case BinaryFormat.Tag.int.rawValue: value = Element(exactly: Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
                case BinaryFormat.Tag.uint.rawValue: value = Element(exactly: raw)
                default: throw mismatch(Element.self, at: cursor - 1, path: [])
                }
                guard let value else { throw Self.corrupt([], "number does not fit \(Element.self)") }
                result.append(value)
            } catch {
                throw Self.placed(error, at: [IndexKey(intValue: index)])
            }
        }
        return result
    }

    /// An array of doubles read in one loop.
    private func doubles(at offset: Int) throws -> [Double] {
        let (count, body) = try container(at: offset, .array, path: [])
        var result: [Double] = []
        result.reserveCapacity(count)
        var cursor = body.lowerBound
        for index in 0..<count {
            do {
                guard cursor < body.upperBound else { throw Self.corrupt([], "an element runs past its array") }
                result.append(try double(at: cursor, path: []))
                cursor = try skip(at: cursor, path: [])
                guard cursor <= body.upperBound else { throw Self.corrupt([], "an element runs past its array") }
            } catch {
                throw Self.placed(error, at: [IndexKey(intValue: index)])
            }
        }
        return result
    }

    /// `error` with `path` put before its own coding path (errors from the fast paths are made
    /// without one).
    static func placed(_ error: any Error, at path: [any CodingKey]) -> any Error {
        guard !path.isEmpty, let error = error as? DecodingError else { return error }
        func moved(_ context: DecodingError.Context) -> DecodingError.Context {
            DecodingError.Context(
                codingPath: path + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        switch error {
        case .typeMismatch(let type, let context): return DecodingError.typeMismatch(type, moved(context))
        case .valueNotFound(let type, let context): return DecodingError.valueNotFound(type, moved(context))
        case .keyNotFound(let key, let context): return DecodingError.keyNotFound(key, moved(context))
        case .dataCorrupted(let context): return DecodingError.dataCorrupted(moved(context))
        @unknown default: return error
        }
    }
}

/// The `Decoder` one value is read through.
struct BinaryValueDecoder: Decoder {
    let input: BinaryInput
    let offset: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(input: input, offset: offset, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(input: input, offset: offset, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecoder(input: input, offset: offset, codingPath: codingPath)
    }
}

struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let input: BinaryInput
    let codingPath: [any CodingKey]
    /// Each member's key index and value offset, in written order (objects are small: a scan beats a table).
    private let members: [(key: Int, offset: Int)]

    init(input: BinaryInput, offset: Int, codingPath: [any CodingKey]) throws {
        self.input = input
        self.codingPath = codingPath
        let (count, body) = try input.container(at: offset, .object, path: codingPath)
        var members: [(key: Int, offset: Int)] = []
        members.reserveCapacity(count)
        var cursor = body.lowerBound
        for _ in 0..<count {
            let key = try BinaryInput.varint(input.bytes, &cursor, end: body.upperBound, path: codingPath)
            guard key < UInt64(input.keyNames.count) else { throw BinaryInput.corrupt(codingPath, "unknown key index \(key)") }
            members.append((Int(key), cursor))
            cursor = try input.skip(at: cursor, path: codingPath)
            guard cursor <= body.upperBound else { throw BinaryInput.corrupt(codingPath, "a member runs past its object") }
        }
        self.members = members
    }

    var allKeys: [Key] { members.compactMap { Key(stringValue: input.keyNames[$0.key]) } }

    private func offset(_ key: Key) -> Int? {
        guard let id = input.keyID(key.stringValue) else { return nil }
        return members.first { $0.key == id }?.offset
    }

    private func required(_ key: Key) throws -> Int {
        guard let offset = offset(key) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "no member \(key.stringValue)"))
        }
        return offset
    }

    func contains(_ key: Key) -> Bool { offset(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try isNil(at: try required(key), key) }

    private func isNil(at offset: Int, _ key: Key) throws -> Bool {
        do {
            return try input.decodeNil(at: offset, path: [])
        } catch {
            throw BinaryInput.placed(error, at: codingPath + [key])
        }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try input.decodeValue(type, at: try required(key), codingPath: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let offset = offset(key), try !isNil(at: offset, key) else { return nil }
        return try input.decodeValue(type, at: offset, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(input: input, offset: try required(key), codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(input: input, offset: try required(key), codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder {
        throw BinaryInput.corrupt(codingPath, "the binary result codec has no super decoders")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        BinaryValueDecoder(input: input, offset: try required(key), codingPath: codingPath + [key])
    }
}

struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let input: BinaryInput
    let codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    private var cursor: Int
    private let end: Int

    init(input: BinaryInput, offset: Int, codingPath: [any CodingKey]) throws {
        self.input = input
        self.codingPath = codingPath
        let (count, body) = try input.container(at: offset, .array, path: codingPath)
        self.count = count
        cursor = body.lowerBound
        end = body.upperBound
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var path: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

    /// The next element's offset, moving past it.
    private mutating func next() throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, DecodingError.Context(codingPath: path, debugDescription: "the array has no more elements"))
        }
        let offset = cursor
        do {
            cursor = try input.skip(at: offset, path: [])
        } catch {
            throw BinaryInput.placed(error, at: path)
        }
        guard cursor <= end else { throw BinaryInput.corrupt(path, "an element runs past its array") }
        currentIndex += 1
        return offset
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, try input.decodeNil(at: cursor, path: path) else { return false }
        _ = try next()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        return try input.decodeValue(type, at: try next(), codingPath: codingPath + [IndexKey(intValue: index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let elementPath = path
        return KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(input: input, offset: try next(), codingPath: elementPath))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let elementPath = path
        return try BinaryUnkeyedDecoder(input: input, offset: try next(), codingPath: elementPath)
    }

    mutating func superDecoder() throws -> any Decoder {
        let elementPath = path
        return BinaryValueDecoder(input: input, offset: try next(), codingPath: elementPath)
    }
}

struct BinarySingleValueDecoder: SingleValueDecodingContainer {
    let input: BinaryInput
    let offset: Int
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { (try? input.decodeNil(at: offset, path: codingPath)) ?? false }
    func decode(_ type: Bool.Type) throws -> Bool { try input.bool(at: offset, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try input.string(at: offset, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try input.double(at: offset, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try input.float(at: offset, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try input.signed(type, at: offset, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try input.signed(type, at: offset, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try input.signed(type, at: offset, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try input.signed(type, at: offset, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try input.signed(type, at: offset, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try input.unsigned(type, at: offset, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try input.unsigned(type, at: offset, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try input.unsigned(type, at: offset, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try input.unsigned(type, at: offset, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try input.unsigned(type, at: offset, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try input.decodeValue(type, at: offset, codingPath: codingPath) }
}

/// An array element's place in a coding path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "[\(intValue ?? 0)]" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
