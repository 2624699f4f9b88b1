import HotshardBytes

/// Reads the arguments of an AMQP 0-9-1 method or content header from its payload, every read
/// checked against the payload's end (through `ByteCursor`): a truncated or lying frame gives
/// nil, never a trap. Integers are big-endian (network order), as the specification's section
/// 4.2.5.1 says.
package struct AMQPArgumentReader {
    private var cursor: ByteCursor

    package init(_ bytes: ByteView) {
        cursor = ByteCursor(bytes)
    }

    package mutating func octet() -> UInt8? {
        cursor.readByte()
    }

    package mutating func short() -> UInt16? {
        read(UInt16.self)
    }

    package mutating func long() -> UInt32? {
        read(UInt32.self)
    }

    package mutating func longLong() -> UInt64? {
        read(UInt64.self)
    }

    /// A short string (one length octet, up to 255 bytes), as bytes: names are not assumed UTF-8.
    /// Nil, with nothing read, when the string is not all there.
    package mutating func shortString() -> ByteView? {
        guard let length = cursor.peek(), let text = cursor.bytes(at: cursor.offset + 1, count: Int(length)) else { return nil }
        cursor.advance(by: 1 + Int(length))
        return text
    }

    private mutating func read<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        guard let value = cursor.peekBigEndian(at: cursor.offset, as: type) else { return nil }
        cursor.advance(by: MemoryLayout<T>.size)
        return value
    }
}
