import HotshardBytes
import HotshardProtocols

/// Renders item numbers as keys from a template such as `user:{n:07}`: literal bytes around one
/// `{n}` placeholder, optionally `{n:0W}` (zero-padded to W digits) or `{n:W}` (space-padded).
/// `key(_:)` allocates nothing for keys of up to `Key.inlineCapacity` bytes (the load hot path);
/// `render(_:)` allocates only the key's bytes.
public struct KeyFormat: Sendable, Equatable {
    public let template: String
    let prefix: [UInt8]
    let suffix: [UInt8]
    let width: Int
    let zeroPad: Bool
    /// The key of a number with `width` digits or fewer before its digits are written: the prefix,
    /// `width` padding bytes, the suffix, zero beyond (only when that fits `Key.inlineCapacity`).
    let paddedKey: SIMD4<UInt64>
    /// Bytes of such a key.
    let paddedLength: Int
    /// Where such a key's digits end (the number's last digit is the byte before).
    let digitsEnd: Int

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missingPlaceholder
        case badPlaceholder(String)
        public var description: String {
            switch self {
            case .missingPlaceholder: "the format needs one {n} placeholder for the item number"
            case .badPlaceholder(let text): "placeholder \(text) is not {n}, {n:0W} or {n:W}"
            }
        }
    }

    public init(_ template: String) throws(Problem) {
        self.template = template
        let bytes = Array(template.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[open...].firstIndex(of: UInt8(ascii: "}"))
        else {
            throw .missingPlaceholder
        }
        let inner = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        guard inner.hasPrefix("n") else { throw .badPlaceholder("{\(inner)}") }
        var width = 0
        var zeroPad = false
        if inner != "n" {
            guard inner.hasPrefix("n:") else { throw .badPlaceholder("{\(inner)}") }
            let spec = inner.dropFirst(2)
            zeroPad = spec.hasPrefix("0")
            guard let parsed = Int(spec), parsed >= 0, parsed <= 20 else { throw .badPlaceholder("{\(inner)}") }
            width = parsed
        }
        prefix = Array(bytes[..<open])
        suffix = Array(bytes[(close + 1)...])
        self.width = width
        self.zeroPad = zeroPad
        let padded = prefix + [UInt8](repeating: zeroPad ? UInt8(ascii: "0") : UInt8(ascii: " "), count: width) + suffix
        var words = SIMD4<UInt64>()
        if padded.count <= Key.inlineCapacity {
            withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: padded) }
        }
        paddedKey = words
        paddedLength = padded.count
        digitsEnd = prefix.count + width
    }

    /// The key bytes for item `number`.
    public func render(_ number: UInt64) -> [UInt8] {
        // One allocation: the key's bytes, filled in place.
        var bytes = [UInt8](repeating: 0, count: length(number))
        emit(number) { position, byte in bytes[position] = byte }
        return bytes
    }

    /// The key for item `number`, rendered on the stack (no allocation for inline-sized keys).
    /// A number that fits the placeholder's width (the common case: `key:{n:012}`) starts from
    /// `paddedKey` and writes only its digits; others are written byte by byte.
    public func key(_ number: UInt64) -> Key {
        let digitCount = decimalDigitCount(number)
        if digitCount <= width, paddedLength <= Key.inlineCapacity {
            var words = paddedKey
            withUnsafeMutableBytes(of: &words) { bytes in
                var rest = number
                var position = digitsEnd
                repeat {
                    position -= 1
                    bytes[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                } while rest > 0
            }
            return withUnsafeBytes(of: words) { Key(ByteView($0).prefix(upTo: paddedLength)) }
        }
        let length = length(number)
        guard length <= Key.inlineCapacity else { return Key(render(number)) }
        var words = SIMD4<UInt64>()
        withUnsafeMutableBytes(of: &words) { bytes in
            emit(number) { position, byte in bytes[position] = byte }
        }
        return withUnsafeBytes(of: words) { Key(ByteView($0).prefix(upTo: length)) }
    }

    /// Bytes of the key for item `number`.
    private func length(_ number: UInt64) -> Int {
        let digitCount = decimalDigitCount(number)
        return prefix.count + max(0, width - digitCount) + digitCount + suffix.count
    }

    /// Calls `put(position, byte)` for each of the `length(number)` bytes of the key for
    /// `number`: the prefix, the padding, the digits, the suffix.
    @inline(__always)
    private func emit(_ number: UInt64, _ put: (Int, UInt8) -> Void) {
        let digitCount = decimalDigitCount(number)
        let padding = max(0, width - digitCount)
        var index = 0
        for byte in prefix {
            put(index, byte)
            index += 1
        }
        let pad = zeroPad ? UInt8(ascii: "0") : UInt8(ascii: " ")
        for _ in 0..<padding {
            put(index, pad)
            index += 1
        }
        var rest = number
        var position = index + digitCount - 1
        repeat {
            put(position, UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
            position -= 1
        } while rest > 0
        index += digitCount
        for byte in suffix {
            put(index, byte)
            index += 1
        }
    }
}
