/// A read position in bytes someone else owns: what the protocol parsers and capture readers
/// read wire data through, so that their pointer arithmetic lives here, once, bounds-checked.
///
/// Every read checks that its bytes are there: one that runs past the end returns nil and leaves
/// the cursor where it was, so a parser that meets a message cut by a packet boundary keeps its
/// place and waits for more data (as NIO's `ByteBuffer` reads do), and malformed input never traps.
/// Nothing is copied: the cursor borrows the bytes, which must outlive it — make it inside the
/// `withUnsafeBytes` (or `feed`) call that lends them, and never store it.
public struct ByteCursor {
    /// The bytes read: every look at them goes through the view's checked reads.
    public let view: ByteView
    /// How many bytes were read or skipped.
    public var offset: Int

    /// A cursor at the first byte of `view`.
    @inlinable
    @inline(__always)
    public init(_ view: ByteView) {
        self.view = view
        offset = 0
    }

    /// How many bytes the cursor reads, from its start.
    @inlinable
    @inline(__always)
    public var count: Int { view.count }

    /// How many bytes are left to read.
    @inlinable
    @inline(__always)
    public var remaining: Int { count &- offset }

    @inlinable

    @inline(__always)
    public var isAtEnd: Bool { offset >= count }

    /// The bytes not yet read, without moving.
    @inlinable
    @inline(__always)
    public var rest: ByteView { view.slice(at: offset, count: remaining) ?? .empty }

    /// `length` bytes at `position` (from the cursor's start), or nil when they are not all there.
    @inlinable
    @inline(__always)
    public func bytes(at position: Int, count length: Int) -> ByteView? { view.slice(at: position, count: length) }

    // MARK: Looking ahead

    /// The next byte, or nil at the end.
    @inlinable
    @inline(__always)
    public func peek() -> UInt8? { view.byte(at: offset) }

    /// The byte at `position` (from the cursor's start), or nil when it is not there.
    @inlinable
    @inline(__always)
    public func peek(at position: Int) -> UInt8? { view.byte(at: position) }

    /// The two bytes at `position` as the host reads them (`0x0a0d` is `\r\n` on a little-endian
    /// host): one compare for a line end. Nil when they are not both there.
    @inlinable
    @inline(__always)
    public func peekUInt16(at position: Int) -> UInt16? {
        view.littleEndian(at: position, as: UInt16.self).map { UInt16(littleEndian: $0) }
    }

    /// The integer stored big-endian (network order: packet headers) at `position`, or nil when
    /// its bytes are not all there.
    @inlinable
    @inline(__always)
    public func peekBigEndian<T: FixedWidthInteger>(at position: Int, as type: T.Type) -> T? {
        view.bigEndian(at: position, as: type)
    }

    /// Up to eight bytes at `position` in one word, the first byte lowest (`ByteView.word`).
    @inlinable
    @inline(__always)
    public func peekWord(at position: Int, length: Int) -> UInt64? { view.word(at: position, length: length) }

    /// Where the next `byte` lies at or after `position` (from the cursor's start), nil when none
    /// does (`memchr`).
    @inlinable
    @inline(__always)
    public func firstIndex(of byte: UInt8, from position: Int) -> Int? { view.firstIndex(of: byte, from: position) }

    // MARK: Reading

    /// Moves on by `length` bytes; false, without moving, when fewer are left.
    @inlinable
    @inline(__always)
    @discardableResult
    public mutating func advance(by length: Int) -> Bool {
        guard length >= 0, length <= remaining else { return false }
        offset &+= length
        return true
    }

    /// The next byte, read; nil at the end.
    @inlinable
    @inline(__always)
    public mutating func readByte() -> UInt8? {
        guard let byte = peek() else { return nil }
        offset &+= 1
        return byte
    }

    /// The next `length` bytes, read; nil, without moving, when fewer are left.
    @inlinable
    @inline(__always)
    public mutating func readBytes(_ length: Int) -> ByteView? {
        guard let read = bytes(at: offset, count: length) else { return nil }
        offset &+= length
        return read
    }

    /// Reads `byte` if it is next; false, without moving, otherwise.
    @inlinable
    @inline(__always)
    public mutating func read(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        offset &+= 1
        return true
    }

    /// Reads `\r\n` if it is next; false, without moving, otherwise.
    @inlinable
    @inline(__always)
    public mutating func readCRLF() -> Bool {
        guard peekUInt16(at: offset) == Self.crlf else { return false }
        offset &+= 2
        return true
    }

    /// The next line without its end, read with its end; nil, without moving, when no whole line
    /// is there yet. With `strict` a line ends at `\r\n` and a bare `\n` makes the line malformed
    /// (nil too: RESP); without, at `\n` with an optional `\r` before it (memcached, HTTP).
    @inlinable
    @inline(__always)
    public mutating func readLine(strict: Bool = false) -> ByteView? {
        guard let newline = firstIndex(of: 0x0a, from: offset) else { return nil }
        var end = newline
        if newline > offset, peek(at: newline &- 1) == 0x0d {
            end &-= 1
        } else if strict {
            return nil
        }
        let line = bytes(at: offset, count: end &- offset)
        offset = newline &+ 1
        return line
    }

    /// A decimal integer (an optional `-` and 1–19 digits) that fits an `Int64`, read up to the
    /// first byte that is not a digit, which stays unread. Nil, without moving, when there is no
    /// digit, the value passes `Int64`'s limits, or the bytes end inside the number (more digits
    /// may follow in the next piece: the number is not known to be whole).
    @inlinable
    @inline(__always)
    public mutating func readDecimal() -> Int64? {
        var position = offset
        let negative = peek(at: position) == UInt8(ascii: "-")
        if negative { position &+= 1 }
        let first = position
        // Accumulated negatively: Int64.min has no positive twin.
        var value: Int64 = 0
        while let byte = peek(at: position) {
            let digit = byte &- 0x30
            guard digit < 10 else { break }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(Int64(digit))
            guard !overflow, !overflow2 else { return nil }
            value = next
            position &+= 1
        }
        guard position > first, position < count else { return nil }
        if !negative {
            guard value != .min else { return nil }
            value = -value
        }
        offset = position
        return value
    }

    /// A line that is one non-negative decimal of at most `maxDigits` digits (`3\r\n` after RESP's
    /// `$` or `*`), read with its `\r\n`; nil, without moving, when it is anything else or not all
    /// there. A one-digit line, most of them, costs two compares.
    @inlinable
    @inline(__always)
    public mutating func readLengthLine(maxDigits: Int = 9) -> Int? {
        if let digit = peek(at: offset).map({ $0 &- 0x30 }), digit < 10, peekUInt16(at: offset &+ 1) == Self.crlf {
            offset &+= 3
            return Int(digit)
        }
        var value = 0
        var index = offset
        let limit = min(count, offset &+ maxDigits)
        while index < limit, let byte = view.byte(at: index) {
            let digit = byte &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ Int(digit)
            index &+= 1
        }
        guard index > offset, peekUInt16(at: index) == Self.crlf else { return nil }
        offset = index &+ 2
        return value
    }

    /// `\r\n` as `peekUInt16` reads it (computed, not stored: a stored one is read through a
    /// lazy initialiser in other modules).
    @inlinable
    @inline(__always)
    public static var crlf: UInt16 { UInt16(littleEndian: 0x0a0d) }
}
