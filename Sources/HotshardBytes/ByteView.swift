#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes someone else owns, borrowed for the length of a call: the one type in which wire data,
/// keys and hash input pass between the parsers, the capture layer, the load generator and the
/// hash functions, so that reading them never needs a pointer outside this module.
///
/// Every access is checked: an index or range outside the bytes traps (as an `Array`'s does) and
/// the `Optional`-returning reads (`byte(at:)`, `slice(at:count:)`, `word(at:length:)`) return
/// nil, which is what code reading untrusted input uses. Nothing is copied. The bytes must outlive
/// the view: make it inside the `withUnsafeBytes` (or `feed`) call that lends them, pass it down,
/// and never store it — a consumer that keeps bytes copies them (`Array(view)`).
public struct ByteView {
    @usableFromInline let base: UnsafeRawPointer?
    /// How many bytes the view holds.
    public let count: Int

    /// A view of `bytes`: where memory from C, Foundation or an array's `withUnsafeBytes` enters.
    @inlinable
    @inline(__always)
    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.count == 0 ? nil : bytes.baseAddress
        count = base == nil ? 0 : bytes.count
    }

    /// No bytes.
    @inlinable
    @inline(__always)
    public static var empty: ByteView { ByteView(UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// The byte at `position`, or nil when the view does not reach it.
    @inlinable
    @inline(__always)
    public func byte(at position: Int) -> UInt8? {
        guard position >= 0, position < count, let base else { return nil }
        return base.load(fromByteOffset: position, as: UInt8.self)
    }

    /// `length` bytes from `position`, or nil when they are not all there.
    @inlinable
    @inline(__always)
    public func slice(at position: Int, count length: Int) -> ByteView? {
        guard position >= 0, length >= 0, length <= count &- position else { return nil }
        guard length > 0, let base else { return .empty }
        return ByteView(UnsafeRawBufferPointer(start: base + position, count: length))
    }

    /// The bytes in `range`, counted from this view's first byte (the result's indices start at
    /// 0 again). Traps when the range is not inside the view.
    @inlinable
    @inline(__always)
    public func extracting(_ range: Range<Int>) -> ByteView {
        guard let view = slice(at: range.lowerBound, count: range.count) else {
            preconditionFailure("ByteView range \(range) outside 0..<\(count)")
        }
        return view
    }

    /// The first `length` bytes, or all of them when there are fewer.
    @inlinable
    @inline(__always)
    public func prefix(upTo length: Int) -> ByteView { extracting(0..<Swift.max(0, Swift.min(length, count))) }

    /// The bytes after the first `length`, or none when there are fewer.
    @inlinable
    @inline(__always)
    public func dropping(first length: Int) -> ByteView {
        let skip = Swift.max(0, Swift.min(length, count))
        return extracting(skip..<count)
    }

    /// Where the next `byte` lies at or after `position`, nil when none does: `memchr`, which reads
    /// a word or a vector at a time.
    @inlinable
    @inline(__always)
    public func firstIndex(of byte: UInt8, from position: Int = 0) -> Int? {
        guard position >= 0, position < count, let base else { return nil }
        guard let found = memchr(base + position, Int32(byte), count &- position) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// The integer stored little-endian at `position` (hash functions' input words), or nil when
    /// its bytes are not all there.
    @inlinable
    @inline(__always)
    public func littleEndian<T: FixedWidthInteger>(at position: Int, as type: T.Type) -> T? {
        guard position >= 0, MemoryLayout<T>.size <= count &- position, let base else { return nil }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// The integer stored big-endian (network order: packet headers) at `position`, or nil when
    /// its bytes are not all there.
    @inlinable
    @inline(__always)
    public func bigEndian<T: FixedWidthInteger>(at position: Int, as type: T.Type) -> T? {
        guard position >= 0, MemoryLayout<T>.size <= count &- position, let base else { return nil }
        return T(bigEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// Up to eight bytes at `position` in one word, the first byte lowest (zeros beyond
    /// `length`): a short name, command or key compared or hashed in one instruction. Four to
    /// eight bytes are two four-byte loads that overlap in the middle (equal bytes, so or-ing them
    /// is exact), fewer are read byte by byte; nothing beyond the bytes is touched. Nil when
    /// `length` is not 1...8 or the bytes are not all there.
    @inlinable
    @inline(__always)
    public func word(at position: Int, length: Int) -> UInt64? {
        guard length > 0, length <= 8, position >= 0, length <= count &- position, let base else { return nil }
        let start = base + position
        if length >= 4 {
            let low = UInt64(UInt32(littleEndian: start.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: start.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)))
            return low | high << (UInt64(length &- 4) &* 8)
        }
        var word: UInt64 = 0
        for index in 0..<length {
            word |= UInt64(start.load(fromByteOffset: index, as: UInt8.self)) << (UInt64(index) &* 8)
        }
        return word
    }

    /// Whether both views hold the same bytes (`memcmp`).
    @inlinable
    @inline(__always)
    public func elementsEqual(_ other: ByteView) -> Bool {
        guard count == other.count else { return false }
        guard count > 0, let base, let otherBase = other.base else { return true }
        return memcmp(base, otherBase, count) == 0
    }

    /// Whether the view starts with `other`'s bytes.
    @inlinable
    @inline(__always)
    public func hasPrefix(_ other: ByteView) -> Bool {
        other.count <= count && prefix(upTo: other.count).elementsEqual(other)
    }

    /// The bytes as a buffer, for C calls (zlib, `send`) and the standard library's own buffer
    /// methods; the buffer is valid only inside `body`.
    @inlinable
    @inline(__always)
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

extension ByteView: RandomAccessCollection {
    public typealias Index = Int
    public typealias Element = UInt8

    @inlinable

    @inline(__always)
    public var startIndex: Int { 0 }
    @inlinable
    @inline(__always)
    public var endIndex: Int { count }

    /// The byte at `position`; traps outside the view, as an array does.
    @inlinable
    @inline(__always)
    public subscript(position: Int) -> UInt8 {
        guard let byte = byte(at: position) else {
            preconditionFailure("ByteView index \(position) outside 0..<\(count)")
        }
        return byte
    }

    @inlinable

    @inline(__always)
    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result? {
        try withUnsafeBytes { try body($0.assumingMemoryBound(to: UInt8.self)) }
    }
}

extension Array where Element == UInt8 {
    /// The array's bytes as a view for the length of `body`.
    @inlinable
    @inline(__always)
    public func withByteView<Result>(_ body: (ByteView) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { try body(ByteView($0)) }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The slice's bytes as a view (indices from 0) for the length of `body`.
    @inlinable
    @inline(__always)
    public func withByteView<Result>(_ body: (ByteView) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { try body(ByteView($0)) }
    }
}

extension String {
    /// The string's UTF-8 bytes as a view for the length of `body` (made contiguous first, as
    /// `withUTF8` does: a bridged or lazily built string is copied once).
    @inlinable
    @inline(__always)
    public func withByteView<Result>(_ body: (ByteView) throws -> Result) rethrows -> Result {
        var text = self
        return try text.withUTF8 { try body(ByteView(UnsafeRawBufferPointer($0))) }
    }
}
