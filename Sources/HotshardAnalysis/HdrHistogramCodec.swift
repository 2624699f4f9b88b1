import Histogram
import HotshardCapture
import HotshardProtocols

/// HdrHistogram's "compressed histogram" encoding, the one its Java, C and Python libraries write
/// and read (`encodeIntoCompressedByteBuffer`, `hdr_log_encode`, `HdrHistogram.encode`), as base64:
/// a compressed header (cookie `0x1c849304`, with the word-size bits `0x10` as the libraries set
/// them, then the length of what follows, big-endian) around the zlib deflate of the V2 encoding
/// (cookie `0x1c849303 | 0x10`, payload length, normalising index offset, significant digits,
/// lowest discernible and highest trackable values, the integer-to-double ratio, then the counts
/// array up to the highest recorded value as ZigZag LEB128 words, a run of zeros written as its
/// negated length). This is what lets a load result carry its latency histograms exactly, so that
/// `merge` adds shards' histograms bucket by bucket, and what `--hlog` interval logs hold.
///
/// Decoding never trusts the input: lengths, cookies, the settings and every index are checked,
/// the inflated size is capped, and a value outside the histogram's range is an error, not a trap.
public enum HdrHistogramCodec {
    static let encodingCookie: UInt32 = 0x1c84_9303 | 0x10
    static let compressedCookie: UInt32 = 0x1c84_9304 | 0x10
    /// The V2 header: cookie, payload length, normalising offset, digits (4 bytes each), lowest and
    /// highest value and the conversion ratio (8 bytes each).
    static let headerBytes = 40
    /// Inflated V2 encodings larger than this are refused (a histogram to one hour in µs at 5
    /// digits needs well under 3 MB even with every bucket counted).
    static let maxInflatedBytes = 16 << 20

    /// The base64 text of `histogram`'s compressed encoding.
    public static func encode(_ histogram: Histogram<UInt64>) -> String {
        Base64.encode(compressed(histogram))
    }

    /// The compressed encoding's bytes (before base64).
    public static func compressed(_ histogram: Histogram<UInt64>) -> [UInt8] {
        // compress2 fails only when memory runs out (compressBound sizes the output).
        let deflated = deflate(encodedV2(histogram)) ?? []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + deflated.count)
        append(compressedCookie, to: &bytes)
        append(UInt32(truncatingIfNeeded: deflated.count), to: &bytes)
        return bytes + deflated
    }

    /// A zlib stream (RFC 1950, as Java's `Deflater` and Python's `zlib.compress` write) of `input`;
    /// nil only when memory runs out.
    static func deflate(_ input: [UInt8]) -> [UInt8]? {
        try? Deflate.compress(input, level: -1)
    }

    /// The uncompressed V2 encoding.
    static func encodedV2(_ histogram: Histogram<UInt64>) -> [UInt8] {
        let layout = HdrBucketLayout(
            lowest: histogram.lowestDiscernibleValue, digits: Int(histogram.numberOfSignificantValueDigits.rawValue))
        var counts: [(index: Int, count: UInt64)] = []
        for value in histogram.recordedValues() where value.count > 0 {
            counts.append((layout.index(of: value.value), value.count))
        }
        counts.sort { $0.index < $1.index }
        var payload: [UInt8] = []
        var next = 0
        for (index, count) in counts {
            // Several values of one bucket (never, from recordedValues; kept safe) add up in order.
            if index < next {
                continue
            }
            let zeros = index - next
            if zeros == 1 {
                putZigZag(0, to: &payload)
            } else if zeros > 1 {
                putZigZag(-Int64(zeros), to: &payload)
            }
            putZigZag(Int64(clamping: count), to: &payload)
            next = index + 1
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerBytes + payload.count)
        append(encodingCookie, to: &bytes)
        append(UInt32(truncatingIfNeeded: payload.count), to: &bytes)
        append(UInt32(0), to: &bytes)
        append(UInt32(histogram.numberOfSignificantValueDigits.rawValue), to: &bytes)
        append(histogram.lowestDiscernibleValue, to: &bytes)
        append(histogram.highestTrackableValue, to: &bytes)
        append((1.0).bitPattern, to: &bytes)
        return bytes + payload
    }

    /// The histogram of a base64 compressed encoding.
    public static func decode(_ text: some StringProtocol) throws(HistogramCodecError) -> Histogram<UInt64> {
        let trimmed = String(text.filter { !$0.isWhitespace })
        guard let bytes = Base64.decode(trimmed) else { throw HistogramCodecError("not base64") }
        return try decode(compressed: bytes)
    }

    /// The histogram of a compressed encoding's bytes.
    public static func decode(compressed bytes: [UInt8]) throws(HistogramCodecError) -> Histogram<UInt64> {
        var reader = BigEndianReader(bytes: bytes[...])
        guard let cookie = reader.uint32(), let length = reader.uint32() else {
            throw HistogramCodecError("shorter than its 8-byte header")
        }
        guard cookie & ~0xf0 == compressedCookie & ~0xf0 else {
            throw HistogramCodecError("cookie 0x\(String(cookie, radix: 16)) is not a V2 compressed histogram's")
        }
        guard Int(length) == reader.remaining.count else {
            throw HistogramCodecError("says \(length) compressed bytes, has \(reader.remaining.count)")
        }
        return try decodeV2(inflate(Array(reader.remaining)))
    }

    /// Inflates a zlib stream, to at most `maxInflatedBytes`.
    static func inflate(_ input: [UInt8]) throws(HistogramCodecError) -> [UInt8] {
        do {
            return try Deflate.decompress(input, limit: maxInflatedBytes)
        } catch {
            throw HistogramCodecError("\(error)")
        }
    }

    /// Reads the V2 encoding.
    static func decodeV2(_ bytes: [UInt8]) throws(HistogramCodecError) -> Histogram<UInt64> {
        var reader = BigEndianReader(bytes: bytes[...])
        guard let cookie = reader.uint32(), let payloadLength = reader.uint32(), let offset = reader.uint32(),
            let digits = reader.uint32(), let lowest = reader.uint64(), let highest = reader.uint64(),
            reader.uint64() != nil
        else { throw HistogramCodecError("V2 header shorter than \(headerBytes) bytes") }
        guard cookie & ~0xf0 == encodingCookie & ~0xf0 else {
            throw HistogramCodecError("inner cookie 0x\(String(cookie, radix: 16)) is not a V2 encoding's")
        }
        guard offset == 0 else { throw HistogramCodecError("normalising index offset \(offset) is not supported") }
        guard digits <= 5, let significant = SignificantDigits(rawValue: Int8(digits)) else {
            throw HistogramCodecError("\(digits) significant digits (0 to 5 are valid)")
        }
        guard lowest >= 1, highest >= 2 * lowest, lowest < 1 << 62, highest < 1 << 62 else {
            throw HistogramCodecError("lowest \(lowest) and highest \(highest) trackable values are not a valid range")
        }
        guard Int(payloadLength) <= reader.remaining.count else {
            throw HistogramCodecError("payload of \(payloadLength) bytes, \(reader.remaining.count) present")
        }
        var payload = BigEndianReader(bytes: reader.remaining.prefix(Int(payloadLength)))
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: significant)
        let layout = HdrBucketLayout(lowest: lowest, digits: Int(digits))
        var index = 0
        while !payload.remaining.isEmpty {
            guard let word = payload.zigZag() else { throw HistogramCodecError("a counts word is cut short") }
            if word < 0 {
                guard word > -Int64(Int32.max) else { throw HistogramCodecError("zero run \(word) is too long") }
                index += Int(-word)
                continue
            }
            if word > 0 {
                // The bucket's highest equivalent value, as the libraries report a decoded
                // histogram's maximum (its lowest where that is beyond the trackable range).
                guard let value = layout.value(at: index), value <= highest,
                    histogram.record(min(highest, layout.highestValue(at: index) ?? value), count: UInt64(word))
                else {
                    throw HistogramCodecError("counts index \(index) is beyond the highest trackable value \(highest)")
                }
            }
            index += 1
        }
        return histogram
    }

    static func putZigZag(_ value: Int64, to bytes: inout [UInt8]) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        // Eight groups of 7 bits with a continuation bit, then a ninth byte of the last 8 bits.
        for _ in 0..<8 {
            if rest >> 7 == 0 {
                bytes.append(UInt8(rest))
                return
            }
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
