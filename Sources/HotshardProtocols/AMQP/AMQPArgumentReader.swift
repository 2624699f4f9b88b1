/// Reads the arguments of an AMQP 0-9-1 method or content header from its payload, every read
/// checked against the payload's end: a truncated or lying frame gives nil, never a trap.
package struct AMQPArgumentReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package mutating func octet() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    package mutating func short() -> UInt16? {
        guard bytes.count - index >= 2 else { return nil }
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    package mutating func long() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 8 | UInt32(bytes[index + offset]) }
        index += 4
        return value
    }

    package mutating func longLong() -> UInt64? {
        guard bytes.count - index >= 8 else { return nil }
        var value: UInt64 = 0
        for offset in 0..<8 { value = value << 8 | UInt64(bytes[index + offset]) }
        index += 8
        return value
    }

    /// A short string (one length octet, up to 255 bytes), as bytes: names are not assumed UTF-8.
    package mutating func shortString() -> UnsafeRawBufferPointer? {
        guard let length = octet().map(Int.init), bytes.count - index >= length else { return nil }
        defer { index += length }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)])
    }
}
