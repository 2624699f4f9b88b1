import Foundation
import Testing

@testable import HotshardReport

/// The codec's arrays of numbers (written and read in one loop, not element by element): the
/// same values back at every width and at the limits, the same bytes as the element-by-element
/// form, and errors that still name the member and the element.
@Suite struct BinaryCodecArrayTests {
    struct Numbers: Codable, Equatable {
        var ints: [Int]
        var longs: [Int64]
        var hashes: [UInt64]
        var counts: [UInt32]
        var bytes: [UInt8]
        var ratios: [Double]
        var empty: [Int]
    }

    struct Holder: Codable, Equatable {
        var name: String
        var parts: [Part]
    }

    struct Part: Codable, Equatable {
        var counts: [UInt32]
    }

    /// Encodes its integers one at a time through an unkeyed container: the general path.
    struct ElementByElement: Encodable {
        var values: [Int]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        }
    }

    @Test func everyWidthRoundTripsAtItsLimits() throws {
        let numbers = Numbers(
            ints: [0, 1, -1, Int.max, Int.min, 300],
            longs: [Int64.min, -2, Int64.max],
            hashes: [0, UInt64.max, 0x9e37_79b9_7f4a_7c15],
            counts: [0, UInt32.max, 77],
            bytes: [0, 255, 10],
            ratios: [0, -0.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity],
            empty: [])
        let read = try BinaryDecoder.decode(Numbers.self, from: try BinaryEncoder.encode(numbers))
        #expect(read == numbers)
    }

    @Test func theLoopWritesWhatElementByElementWrites() throws {
        let values = [5, -7, Int.max, 0, 128]
        #expect(try BinaryEncoder.encode(values) == BinaryEncoder.encode(ElementByElement(values: values)))
    }

    @Test(arguments: [([[1], [1, 2, 5_000_000_000]], ["parts", "[1]", "counts", "[2]"]), ([[3], [-1]], ["parts", "[1]", "counts", "[0]"])])
    func aNumberThatDoesNotFitNamesItsMemberAndElement(counts: [[Int]], path: [String]) throws {
        struct Wide: Codable { var name: String; var parts: [WidePart] }
        struct WidePart: Codable { var counts: [Int] }
        let bytes = try BinaryEncoder.encode(Wide(name: "n", parts: counts.map { WidePart(counts: $0) }))
        do {
            _ = try BinaryDecoder.decode(Holder.self, from: bytes)
            Issue.record("\(counts) was read as UInt32 counts")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == path)
        }
    }

    @Test func aWrongElementTagNamesTheElement() throws {
        struct Mixed: Codable { var name: String; var parts: [MixedPart] }
        struct MixedPart: Codable { var counts: [String] }
        let bytes = try BinaryEncoder.encode(Mixed(name: "n", parts: [MixedPart(counts: ["a"])]))
        do {
            _ = try BinaryDecoder.decode(Holder.self, from: bytes)
            Issue.record("a string was read as a number")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["parts", "[0]", "counts", "[0]"])
        }
    }
}
