#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON text written as it is produced, through a fixed 1 MB buffer, to a file or to memory: the
/// big arrays of the result document never exist as a tree (JSONEncoder built one of ~400 MB for a
/// 33 MB document). It formats numbers and strings exactly as Foundation's JSONEncoder does
/// (`.sortedKeys`, `.withoutEscapingSlashes`), so the two can be spliced; field order is the caller's.
///
/// A class: it owns the buffer and the file descriptor.
public final class JSONOutput {
    private static let capacity = 1 << 20
    private let buffer: UnsafeMutablePointer<UInt8>
    private var used = 0
    private let descriptor: Int32?
    private var collected: [UInt8] = []

    /// Text collected in memory (`bytes` returns it).
    public init() {
        buffer = .allocate(capacity: Self.capacity)
        descriptor = nil
    }

    /// Text written to `descriptor`, which the caller opened and closes.
    public init(descriptor: Int32) {
        buffer = .allocate(capacity: Self.capacity)
        self.descriptor = descriptor
    }

    deinit { buffer.deallocate() }

    /// Everything written so far (memory output).
    public var bytes: [UInt8] {
        collected + UnsafeBufferPointer(start: buffer, count: used)
    }

    /// Hands the buffered bytes to the file (or the memory copy).
    public func flush() throws {
        try deliver(UnsafeRawBufferPointer(start: buffer, count: used))
        used = 0
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) throws {
        guard let descriptor else {
            collected.append(contentsOf: bytes)
            return
        }
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw JSONOutputError.writeFailed(errno: errno)
            }
            offset += written
        }
    }

    @inline(__always)
    private func reserve(_ count: Int) throws {
        if used + count > Self.capacity { try flush() }
    }

    @inline(__always)
    public func byte(_ value: UInt8) throws {
        try reserve(1)
        buffer[used] = value
        used += 1
    }

    /// Raw JSON text (punctuation, a quoted field name): copied as is.
    public func raw(_ text: StaticString) throws {
        try raw(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Raw JSON text (already valid JSON, e.g. from JSONEncoder): copied as is.
    public func raw(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard bytes.count <= Self.capacity else {
            try flush()
            try deliver(bytes)
            return
        }
        try reserve(bytes.count)
        (buffer + used).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        used += bytes.count
    }

    public func int(_ value: Int) throws { try int64(Int64(value)) }

    public func int64(_ value: Int64) throws {
        if value < 0 {
            try byte(UInt8(ascii: "-"))
            // The magnitude of Int64.min fits in UInt64.
            try uint64(UInt64(bitPattern: 0 &- value))
        } else {
            try uint64(UInt64(value))
        }
    }

    public func uint64(_ value: UInt64) throws {
        try reserve(20)
        if value < 10 {
            buffer[used] = UInt8(truncatingIfNeeded: value) &+ 48
            used += 1
            return
        }
        var digits = 0
        var rest = value
        while rest > 0 { digits += 1; rest /= 10 }
        rest = value
        var index = used + digits - 1
        while rest > 0 {
            buffer[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
            rest /= 10
            index -= 1
        }
        used += digits
    }

    /// Shortest round-trip form (`description`), without a trailing `.0`, as JSONEncoder writes it.
    public func double(_ value: Double) throws {
        guard value.isFinite else { throw JSONOutputError.notFinite(value) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        try text.withUTF8 { try raw(UnsafeRawBufferPointer($0)) }
    }

    public func bool(_ value: Bool) throws {
        try raw(value ? "true" : "false")
    }

    /// A quoted string of valid UTF-8 bytes: `"` and `\` escaped, control bytes as `\b \t \n \f \r`
    /// or `\u00xx`, everything else (including `/`, DEL and non-ASCII) as is.
    public func string(utf8 bytes: UnsafeRawBufferPointer) throws {
        try byte(UInt8(ascii: "\""))
        for value in bytes {
            if value >= 0x20 && value != UInt8(ascii: "\"") && value != UInt8(ascii: "\\") {
                try byte(value)
            } else {
                try escaped(value)
            }
        }
        try byte(UInt8(ascii: "\""))
    }

    public func string(_ text: String) throws {
        var text = text
        try text.withUTF8 { try string(utf8: UnsafeRawBufferPointer($0)) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private func escaped(_ value: UInt8) throws {
        switch value {
        case UInt8(ascii: "\""): try raw("\\\"")
        case UInt8(ascii: "\\"): try raw("\\\\")
        case 0x08: try raw("\\b")
        case 0x09: try raw("\\t")
        case 0x0a: try raw("\\n")
        case 0x0c: try raw("\\f")
        case 0x0d: try raw("\\r")
        case 0..<0x20:
            try raw("\\u00")
            try byte(Self.hex[Int(value >> 4)])
            try byte(Self.hex[Int(value & 0xf)])
        default: try byte(value)
        }
    }
}

public enum JSONOutputError: Error, CustomStringConvertible {
    case writeFailed(errno: Int32)
    case notFinite(Double)

    public var description: String {
        switch self {
        case .writeFailed(let code): "write failed: \(String(cString: strerror(code)))"
        case .notFinite(let value): "\(value) cannot be written as JSON"
        }
    }
}
