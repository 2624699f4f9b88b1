/// Writes a `Codable` value in `BinaryFormat`. One pass into one buffer: a container's header is
/// written when the value opens it and its sizes are filled in when the value's `encode(to:)`
/// returns.
public enum BinaryEncoder {
    /// The value's bytes: magic, the tagged body and the key table. Throws `EncodingError` for what
    /// the format cannot hold (nested containers, super encoders, a container over 4 GiB).
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let output = BinaryOutput()
        output.bytes.append(contentsOf: BinaryFormat.magic)
        output.bytes.append(contentsOf: repeatElement(0, count: 8))
        try output.encodeValue(value, codingPath: [])
        if let refused = output.refused { throw refused }
        let tableOffset = UInt64(output.bytes.count)
        output.varint(UInt64(output.keyNames.count))
        for name in output.keyNames {
            output.varint(UInt64(name.utf8.count))
            output.bytes.append(contentsOf: name.utf8)
        }
        for byte in 0..<8 { output.bytes[4 + byte] = UInt8(truncatingIfNeeded: tableOffset >> (8 * UInt64(byte))) }
        return output.bytes
    }
}

/// The buffer and the tagged scalars written into it. A value, so that a loop writing many of
/// them (an array of numbers) holds it in a local: every write to a class's stored property pays
/// a dynamic exclusivity check, which was half the cost of writing a summary state's columns
/// (~5 % of `analyze` of a 100,000-key HTTP capture).
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func tag(_ tag: BinaryFormat.Tag) { bytes.append(tag.rawValue) }

    mutating func int(_ value: Int64) {
        tag(.int)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func uint(_ value: UInt64) {
        tag(.uint)
        varint(value)
    }

    mutating func double(_ value: Double) {
        tag(.double)
        fixed(value.bitPattern, bytes: 8)
    }

    mutating func float(_ value: Float) {
        tag(.float)
        fixed(UInt64(value.bitPattern), bytes: 4)
    }

    mutating func string(_ value: String) {
        tag(.string)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func bool(_ value: Bool) { tag(value ? .trueValue : .falseValue) }

    private mutating func fixed(_ value: UInt64, bytes count: Int) {
        for byte in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))) }
    }
}

/// The buffer, the key table and the writing of values (shared by every container).
final class BinaryOutput {
    private var writer = BinaryWriter()
    var keyNames: [String] = []
    private var keyIndex: [String: Int] = [:]
    /// The first thing asked of the encoder that the format cannot hold.
    private(set) var refused: EncodingError?

    var bytes: [UInt8] {
        get { writer.bytes }
        _modify { yield &writer.bytes }
    }

    func refuse(_ what: String, at path: [any CodingKey]) {
        guard refused == nil else { return }
        refused = EncodingError.invalidValue(
            what, EncodingError.Context(codingPath: path, debugDescription: "the binary result codec does not write \(what)"))
    }

    func varint(_ value: UInt64) { writer.varint(value) }

    func key(_ name: String) {
        if let index = keyIndex[name] {
            varint(UInt64(index))
            return
        }
        keyIndex[name] = keyNames.count
        varint(UInt64(keyNames.count))
        keyNames.append(name)
    }

    func tag(_ tag: BinaryFormat.Tag) { writer.tag(tag) }
    func int(_ value: Int64) { writer.int(value) }
    func uint(_ value: UInt64) { writer.uint(value) }
    func double(_ value: Double) { writer.double(value) }
    func float(_ value: Float) { writer.float(value) }
    func string(_ value: String) { writer.string(value) }
    func bool(_ value: Bool) { writer.bool(value) }

    /// Opens a container: its header, with the sizes to be filled in by `close`.
    func open(_ tag: BinaryFormat.Tag) -> BinaryContainer {
        let container = BinaryContainer(headerOffset: bytes.count)
        self.tag(tag)
        bytes.append(contentsOf: repeatElement(0, count: 8))
        return container
    }

    /// An array of scalars written in one loop.
    private func array<Element>(_ elements: [Element], _ write: (inout BinaryWriter, Element) -> Void) {
        let container = BinaryContainer(headerOffset: bytes.count)
        container.count = elements.count
        var local = BinaryWriter()
        swap(&local, &writer)
        local.tag(.array)
        local.bytes.append(contentsOf: repeatElement(0, count: 8))
        for element in elements { write(&local, element) }
        swap(&local, &writer)
        close(container)
    }

    func close(_ container: BinaryContainer) {
        let length = bytes.count - container.headerOffset - BinaryFormat.containerHeaderSize
        if length > Int(UInt32.max) { refuse("a container over 4 GiB", at: []) }
        let body = UInt32(truncatingIfNeeded: length)
        let count = UInt32(truncatingIfNeeded: container.count)
        for byte in 0..<4 {
            bytes[container.headerOffset + 1 + byte] = UInt8(truncatingIfNeeded: body >> (8 * UInt32(byte)))
            bytes[container.headerOffset + 5 + byte] = UInt8(truncatingIfNeeded: count >> (8 * UInt32(byte)))
        }
    }

    /// Writes one value: scalars directly, anything else through its `encode(to:)`. The scalars
    /// are told apart by their type's identity, not by dynamic casts (which cost more than the
    /// writing: a 100,000-key load result took 2.8 s to encode with `as?`).
    func encodeValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(Int.self): int(Int64(unsafeBitCast(value, to: Int.self)))
        case ObjectIdentifier(Int64.self): int(unsafeBitCast(value, to: Int64.self))
        case ObjectIdentifier(Int32.self): int(Int64(unsafeBitCast(value, to: Int32.self)))
        case ObjectIdentifier(UInt64.self): uint(unsafeBitCast(value, to: UInt64.self))
        case ObjectIdentifier(UInt.self): uint(UInt64(unsafeBitCast(value, to: UInt.self)))
        case ObjectIdentifier(UInt32.self): uint(UInt64(unsafeBitCast(value, to: UInt32.self)))
        case ObjectIdentifier(UInt8.self): uint(UInt64(unsafeBitCast(value, to: UInt8.self)))
        case ObjectIdentifier(Double.self): double(unsafeBitCast(value, to: Double.self))
        case ObjectIdentifier(String.self): string(unsafeBitCast(value, to: String.self))
        case ObjectIdentifier(Bool.self): bool(unsafeBitCast(value, to: Bool.self))
        // Arrays of numbers (histogram buckets, hashes, counts) fill most of a summary state: the
        // same bytes as element by element, without an encoder and a generic call per element.
        case ObjectIdentifier([Int].self): array(unsafeBitCast(value, to: [Int].self)) { $0.int(Int64($1)) }
        case ObjectIdentifier([Int64].self): array(unsafeBitCast(value, to: [Int64].self)) { $0.int($1) }
        case ObjectIdentifier([UInt64].self): array(unsafeBitCast(value, to: [UInt64].self)) { $0.uint($1) }
        case ObjectIdentifier([UInt32].self): array(unsafeBitCast(value, to: [UInt32].self)) { $0.uint(UInt64($1)) }
        case ObjectIdentifier([UInt8].self): array(unsafeBitCast(value, to: [UInt8].self)) { $0.uint(UInt64($1)) }
        case ObjectIdentifier([Double].self): array(unsafeBitCast(value, to: [Double].self)) { $0.double($1) }
        default:
            let encoder = BinaryValueEncoder(output: self, codingPath: codingPath)
            try value.encode(to: encoder)
            encoder.finish()
        }
    }
}

/// A container being written; `count` grows with each element.
final class BinaryContainer {
    let headerOffset: Int
    var count = 0
    init(headerOffset: Int) { self.headerOffset = headerOffset }
}

/// The `Encoder` one value is written through. A value that asks for the same kind of container
/// twice (a type that flattens another's members into its own) gets the same container.
final class BinaryValueEncoder: Encoder {
    let output: BinaryOutput
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var opened: [BinaryContainer] = []
    private var object: BinaryContainer?
    private var wroteSomething = false

    init(output: BinaryOutput, codingPath: [any CodingKey]) {
        self.output = output
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let container = object ?? open(.object)
        object = container
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(output: output, container: container, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncoder(output: output, container: open(.array), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        wroteSomething = true
        return BinarySingleValueEncoder(output: output, codingPath: codingPath)
    }

    private func open(_ tag: BinaryFormat.Tag) -> BinaryContainer {
        wroteSomething = true
        let container = output.open(tag)
        opened.append(container)
        return container
    }

    /// Fills in the sizes of every container the value opened (innermost last opened, so closed
    /// first); a value that wrote nothing is an empty object, as JSONEncoder writes `{}`.
    func finish() {
        if !wroteSomething { opened.append(output.open(.object)) }
        for container in opened.reversed() { output.close(container) }
    }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let output: BinaryOutput
    let container: BinaryContainer
    let codingPath: [any CodingKey]

    private func member(_ key: Key) {
        output.key(key.stringValue)
        container.count += 1
    }

    mutating func encodeNil(forKey key: Key) throws {
        member(key)
        output.tag(.null)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        member(key)
        // The path is only read by a refusal's error; building it per member cost an allocation each.
        try output.encodeValue(value, codingPath: codingPath)
    }

    // Nested containers and super encoders would interleave with this container's later members
    // in the one buffer; no type in a result uses them (the round-trip tests cover every result
    // kind), so a value that does fails with an error rather than writing a wrong document.
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        output.refuse("a nested container", at: codingPath + [key])
        let scratch = BinaryOutput()
        return KeyedEncodingContainer(
            BinaryKeyedEncoder<NestedKey>(output: scratch, container: scratch.open(.object), codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        output.refuse("a nested container", at: codingPath + [key])
        let scratch = BinaryOutput()
        return BinaryUnkeyedEncoder(output: scratch, container: scratch.open(.array), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        output.refuse("a super encoder", at: codingPath)
        return BinaryValueEncoder(output: BinaryOutput(), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        output.refuse("a super encoder", at: codingPath + [key])
        return BinaryValueEncoder(output: BinaryOutput(), codingPath: codingPath)
    }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let output: BinaryOutput
    let container: BinaryContainer
    let codingPath: [any CodingKey]
    var count: Int { container.count }

    mutating func encodeNil() throws {
        container.count += 1
        output.tag(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        container.count += 1
        try output.encodeValue(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        output.refuse("a nested container", at: codingPath)
        let scratch = BinaryOutput()
        return KeyedEncodingContainer(
            BinaryKeyedEncoder<NestedKey>(output: scratch, container: scratch.open(.object), codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        output.refuse("a nested container", at: codingPath)
        let scratch = BinaryOutput()
        return BinaryUnkeyedEncoder(output: scratch, container: scratch.open(.array), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        output.refuse("a super encoder", at: codingPath)
        return BinaryValueEncoder(output: BinaryOutput(), codingPath: codingPath)
    }
}

struct BinarySingleValueEncoder: SingleValueEncodingContainer {
    let output: BinaryOutput
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { output.tag(.null) }
    mutating func encode(_ value: Bool) throws { output.bool(value) }
    mutating func encode(_ value: String) throws { output.string(value) }
    mutating func encode(_ value: Double) throws { output.double(value) }
    mutating func encode(_ value: Float) throws { output.float(value) }
    mutating func encode(_ value: Int) throws { output.int(Int64(value)) }
    mutating func encode(_ value: Int8) throws { output.int(Int64(value)) }
    mutating func encode(_ value: Int16) throws { output.int(Int64(value)) }
    mutating func encode(_ value: Int32) throws { output.int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { output.int(value) }
    mutating func encode(_ value: UInt) throws { output.uint(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { output.uint(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { output.uint(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { output.uint(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { output.uint(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try output.encodeValue(value, codingPath: codingPath) }
}
