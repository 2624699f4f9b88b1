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
    }

    /// The key bytes for item `number`.
    public func render(_ number: UInt64) -> [UInt8] {
        let total = length(number)
        // One allocation: the key's bytes, filled in place.
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            write(number, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = total
        }
    }

    /// The key for item `number`, rendered on the stack (no allocation for inline-sized keys).
    public func key(_ number: UInt64) -> Key {
        let length = length(number)
        guard length <= Key.inlineCapacity else { return Key(render(number)) }
        // Rendered into words on the stack; the closures see only pointers and numbers (capturing
        // the format itself copied its template and byte arrays for every key).
        let width = width, zeroPad = zeroPad
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return prefix.withUnsafeBytes { prefix in
            suffix.withUnsafeBytes { suffix in
                withUnsafeMutableBytes(of: &words) { raw in
                    let buffer = UnsafeMutableRawBufferPointer(rebasing: raw[0..<length])
                    Self.write(number, prefix: prefix, suffix: suffix, width: width, zeroPad: zeroPad, into: buffer)
                    return Key(UnsafeRawBufferPointer(buffer))
                }
            }
        }
    }

    /// Bytes of the key for item `number`.
    private func length(_ number: UInt64) -> Int {
        let digitCount = decimalDigitCount(number)
        return prefix.count + max(0, width - digitCount) + digitCount + suffix.count
    }

    /// Writes the key for `number` into `buffer`, which holds exactly `length(number)` bytes.
    private func write(_ number: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        prefix.withUnsafeBytes { prefix in
            suffix.withUnsafeBytes { suffix in
                Self.write(number, prefix: prefix, suffix: suffix, width: width, zeroPad: zeroPad, into: buffer)
            }
        }
    }

    private static func write(
        _ number: UInt64, prefix: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer,
        width: Int, zeroPad: Bool, into buffer: UnsafeMutableRawBufferPointer
    ) {
        let digitCount = decimalDigitCount(number)
        let padding = max(0, width - digitCount)
        precondition(buffer.count == prefix.count + padding + digitCount + suffix.count, "key length")
        var index = 0
        UnsafeMutableRawBufferPointer(rebasing: buffer[0..<prefix.count]).copyMemory(from: prefix)
        index += prefix.count
        let pad = zeroPad ? UInt8(ascii: "0") : UInt8(ascii: " ")
        for _ in 0..<padding {
            buffer[index] = pad
            index += 1
        }
        var rest = number
        var position = index + digitCount - 1
        repeat {
            buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            position -= 1
        } while rest > 0
        index += digitCount
        UnsafeMutableRawBufferPointer(rebasing: buffer[index..<(index + suffix.count)]).copyMemory(from: suffix)
    }
}
