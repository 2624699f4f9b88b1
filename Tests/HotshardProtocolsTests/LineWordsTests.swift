import HotshardBytes
import Testing

@testable import HotshardProtocols

/// Splitting text-protocol lines into words: ranges into the line, spaces collapsed, at most
/// `limit` words, storage grown for long lines and never shared between copies.
@Suite struct LineWordsTests {
    func split(_ words: inout LineWords, _ text: String, limit: Int = 4_096) -> [Range<Int>] {
        Array(text.utf8).withByteView { Array(words.split($0, limit: limit)) }
    }

    @Test func wordsAreTheRangesBetweenSpaces() {
        var words = LineWords()
        #expect(split(&words, "get a  b   c") == [0..<3, 4..<5, 7..<8, 11..<12])
        #expect(split(&words, "  VALUE k 0 5 ") == [2..<7, 8..<9, 10..<11, 12..<13])
        #expect(split(&words, "") == [])
        #expect(split(&words, "   ") == [])
        #expect(split(&words, "x") == [0..<1])
        #expect(split(&words, "GET /a HTTP/1.1 extra", limit: 3) == [0..<3, 4..<6, 7..<15])
    }

    @Test func longLinesGrowTheStorageAndCopiesKeepTheirOwn() {
        var words = LineWords()
        let keys = (0..<300).map { "k\($0)" }
        let ranges = split(&words, "get " + keys.joined(separator: " "))
        #expect(ranges.count == 301)
        #expect(ranges[300] == 4 + keys.dropLast().reduce(0) { $0 + $1.utf8.count + 1 }..<(4 + keys.reduce(0) { $0 + $1.utf8.count + 1 } - 1))
        var copy = words
        let line = Array("a b".utf8)
        line.withByteView { bytes in
            let first = words.split(bytes)
            _ = Array("ccc ddd eee".utf8).withByteView { copy.split($0) }
            #expect(Array(first) == [0..<1, 2..<3])
            // Words still held when the next line is split keep their ranges.
            let second = Array("fff ggg".utf8).withByteView { words.split($0) }
            #expect(Array(first) == [0..<1, 2..<3] && Array(second) == [0..<3, 4..<7])
        }
    }
}
