import Foundation
import Histogram
import HotshardProtocols
import HotshardTestSupport
import Testing

@testable import HotshardAnalysis

/// HdrHistogram's compressed encoding, checked against an independent implementation: the PyPI
/// `hdrhistogram` package (HdrHistogram_py, a port of the Java library). The vector below is its
/// `encode()` of the values in `recorded` (scripts/test/hdrh-reference.py encode), and its decoder
/// reads back what Hotshard writes.
@Suite struct HdrHistogramCodecTests {
    /// (value µs, count) recorded into a 1 … 3,600,000,000 µs histogram at 3 significant digits.
    static let recorded: [(value: UInt64, count: UInt64)] = [
        (1, 5), (2, 3), (1_000, 7), (2_047, 2), (2_048, 4), (5_000, 11), (123_456, 1), (3_000_000_000, 2),
    ]
    /// `HdrHistogram(1, 3600000000, 3)` with `recorded`, `.encode()` by hdrhistogram 0.10.8.
    static let pythonVector = "HISTFAAAADR4nJNpmSzMwMAgwgABzFCaEURcm7yEwf4DVICL7SQ/32oBFo6DwmKnvZimv2BkAQDf5wne"

    static func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for (value, count) in recorded { _ = histogram.record(value, count: count) }
        return histogram
    }

    static let pythonAvailable: Bool = {
        guard let python = ExternalTool.find("python3"),
            let out = try? ExternalTool.run(python, ["-c", "import hdrh.histogram, hdrh.log"])
        else { return false }
        return out.status == 0
    }()

    @Test func decodesThePythonLibrarysEncoding() throws {
        let decoded = try HdrHistogramCodec.decode(Self.pythonVector)
        #expect(decoded.totalCount == 35)
        for (value, count) in Self.recorded {
            #expect(decoded.countForValue(value) == count, "value \(value)")
        }
        // What the Python library answers for the same histogram (hdrh-reference.py decode).
        #expect(decoded.valueAtPercentile(50) == 2_049)
        #expect(decoded.valueAtPercentile(99) == 3_001_024_511)
        #expect(decoded.max == 3_001_024_511)
    }

    @Test func encodesTheSameV2BytesAsThePythonLibrary() throws {
        // zlib's output may differ between versions and levels; the V2 encoding inside must not,
        // but for one liberty: Python writes a single empty bucket as a run of one zero (-1),
        // Java and Hotshard as the count 0. Header bytes equal, counts equal once read.
        let vector = try #require(Base64.decode(Self.pythonVector))
        let theirs = try HdrHistogramCodec.inflate(Array(vector.dropFirst(8)))
        let ours = HdrHistogramCodec.encodedV2(Self.histogram())
        #expect(Array(ours.prefix(8)) == Array(theirs.prefix(8)))
        #expect(Array(ours[8..<40]) == Array(theirs[8..<40]))
        let fromTheirs = try HdrHistogramCodec.decodeV2(theirs)
        let fromOurs = try HdrHistogramCodec.decodeV2(ours)
        #expect(Array(fromOurs.recordedValues().map { [$0.value, $0.count] }) == Array(fromTheirs.recordedValues().map { [$0.value, $0.count] }))
        // Java's encoder (AbstractHistogram.fillBufferFromCountsArray) writes index 0's count 0 as
        // 0; the payload after that first word is the same byte for byte.
        #expect(ours[40] == 0 && theirs[40] == 1)
        #expect(Array(ours[41...]) == Array(theirs[41...]))
        // The outer header: the compressed cookie (with the word-size bits the libraries set).
        let compressed = HdrHistogramCodec.compressed(Self.histogram())
        #expect(Array(compressed.prefix(4)) == Array(vector.prefix(4)))
    }

    @Test func roundTripsEveryBucket() throws {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            _ = histogram.record(1 + (state >> 33) % ((state >> 60) == 0 ? 3_000_000_000 : 50_000))
        }
        let decoded = try HdrHistogramCodec.decode(HdrHistogramCodec.encode(histogram))
        #expect(decoded.totalCount == histogram.totalCount)
        #expect(Array(decoded.recordedValues().map { [$0.value, $0.count] }) == Array(histogram.recordedValues().map { [$0.value, $0.count] }))
        // A decoded histogram's values are its buckets' highest equivalents (the encoding keeps
        // buckets, not the exact maximum): each percentile falls in the same bucket.
        for percentile in [50.0, 90, 99, 99.9, 100] {
            let original = histogram.valueAtPercentile(percentile)
            let read = decoded.valueAtPercentile(percentile)
            #expect(read >= original && histogram.valuesAreEquivalent(read, original), "p\(percentile)")
        }
        // An empty histogram too.
        let empty = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        #expect(try HdrHistogramCodec.decode(HdrHistogramCodec.encode(empty)).totalCount == 0)
    }

    @Test(.enabled(if: pythonAvailable, "needs python3 with the hdrhistogram package (make setup)"))
    func thePythonLibraryDecodesOurEncoding() throws {
        let python = try #require(ExternalTool.find("python3"))
        let output = try ExternalTool.run(
            python, [Fixtures.path("../../scripts/test/hdrh-reference.py"), "decode"],
            stdin: Data(HdrHistogramCodec.encode(Self.histogram()).utf8))
        try #require(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "35 3001024511 2049 3001024511 3001024511")
        #expect(
            Array(lines.dropFirst())
                == ["1 5", "2 3", "1000 7", "2047 2", "2048 4", "5000 11", "123456 1", "2998927360 2"])
    }

    @Test(arguments: [
        "", "not base64!", "AAAA",
        // The right outer cookie with a length that does not match.
        Base64.encode([0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 9, 1, 2]),
        // Another cookie.
        Base64.encode([0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 2, 1, 2]),
        // The right cookie around bytes that are not zlib.
        Base64.encode([0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 3, 1, 2, 3]),
    ])
    func refusesDamagedInput(_ text: String) {
        #expect(throws: HistogramCodecError.self) { try HdrHistogramCodec.decode(text) }
    }

    @Test func refusesCountsBeyondTheTrackableRange() throws {
        // A valid V2 header for 1 … 2,000 then a zero run past the end and a count.
        var v2 = HdrHistogramCodec.encodedV2(
            Histogram<UInt64>(highestTrackableValue: 2_000, numberOfSignificantValueDigits: .three))
        var payload: [UInt8] = []
        HdrHistogramCodec.putZigZag(-1_000_000, to: &payload)
        HdrHistogramCodec.putZigZag(5, to: &payload)
        v2.replaceSubrange(4..<8, with: [0, 0, 0, UInt8(payload.count)])
        v2 += payload
        let compressed = try #require(HdrHistogramCodec.deflate(v2))
        let encoded = [0x1c, 0x84, 0x93, 0x14] + withUnsafeBytes(of: UInt32(compressed.count).bigEndian, Array.init) + compressed
        #expect(throws: HistogramCodecError.self) { try HdrHistogramCodec.decode(compressed: encoded) }
    }
}
