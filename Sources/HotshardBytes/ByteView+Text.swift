#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the line-oriented parsers (memcached text, HTTP, RESP inline commands) make of a line:
/// scans for the end of a word, comparisons with ASCII text, with or without letter case. Each
/// checks its bounds once, not per byte, so that a parser's inner loop costs what the pointer
/// loop it replaced did.
extension ByteView {
    /// Where the first byte at or after `position` that satisfies `predicate` lies; nil when none
    /// does (or `position` is outside the view). For short runs (a word, a run of blanks) where
    /// `firstIndex(of:from:)`'s call to `memchr` costs more than the bytes it reads.
    @inlinable
    @inline(__always)
    public func firstIndex(from position: Int, where predicate: (UInt8) throws -> Bool) rethrows -> Int? {
        guard position >= 0, let base else { return nil }
        var index = position
        while index < count {
            if try predicate(base.load(fromByteOffset: index, as: UInt8.self)) { return index }
            index &+= 1
        }
        return nil
    }

    /// Whether the view holds exactly the ASCII (or UTF-8) `text`.
    @inlinable
    @inline(__always)
    public func elementsEqual(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && hasPrefix(text)
    }

    /// Whether the view starts with the ASCII (or UTF-8) `text`.
    @inlinable
    @inline(__always)
    public func hasPrefix(_ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard length <= count else { return false }
        guard length > 0, let base else { return true }
        return memcmp(base, text.utf8Start, length) == 0
    }

    /// Whether the view orders before `other`: bytes compared as unsigned numbers (`memcmp`), a
    /// view that is a prefix of the other first. What keys sort by; the standard library's generic
    /// `lexicographicallyPrecedes` reads a byte per step.
    @inlinable
    @inline(__always)
    public func lexicographicallyPrecedes(_ other: ByteView) -> Bool {
        let common = Swift.min(count, other.count)
        if common > 0, let base, let otherBase = other.base {
            let order = memcmp(base, otherBase, common)
            if order != 0 { return order < 0 }
        }
        return count < other.count
    }

    /// Whether the view holds `lowercase`'s bytes with ASCII letters in either case (`lowercase`
    /// must be lower case: header names, methods, keywords).
    @inlinable
    @inline(__always)
    public func elementsEqual(ignoringASCIICase lowercase: ByteView) -> Bool {
        count == lowercase.count && hasPrefix(ignoringASCIICase: lowercase)
    }

    /// Whether the view starts with `lowercase`'s bytes with ASCII letters in either case.
    @inlinable
    @inline(__always)
    public func hasPrefix(ignoringASCIICase lowercase: ByteView) -> Bool {
        guard lowercase.count <= count else { return false }
        guard lowercase.count > 0, let base, let other = lowercase.base else { return true }
        for index in 0..<lowercase.count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
            if folded != other.load(fromByteOffset: index, as: UInt8.self) { return false }
        }
        return true
    }
}
