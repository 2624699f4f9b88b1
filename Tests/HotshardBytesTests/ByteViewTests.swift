import Testing

@testable import HotshardBytes

/// The borrowed-bytes type every module passes wire data, keys and hash input in: checked reads
/// return nil past the end, slices are rebased to 0, and words load little- or big-endian exactly.
@Suite struct ByteViewTests {
    @Test func emptyViewHasNothingToRead() {
        let view = ByteView.empty
        #expect(view.isEmpty && view.count == 0 && Array(view) == [])
        #expect(view.byte(at: 0) == nil && view.firstIndex(of: 0) == nil)
        #expect(view.slice(at: 0, count: 0)?.count == 0 && view.slice(at: 0, count: 1) == nil)
        #expect(view.word(at: 0, length: 1) == nil && view.littleEndian(at: 0, as: UInt8.self) == nil)
        #expect(view.elementsEqual(.empty) && view.hasPrefix(.empty))
    }

    @Test func slicesAreRebasedAndChecked() {
        [UInt8]("GET user:42\r\n".utf8).withByteView { view in
            #expect(view.count == 13 && view[0] == UInt8(ascii: "G") && view.byte(at: 13) == nil && view.byte(at: -1) == nil)
            let key = view.extracting(4..<11)
            #expect(String(decoding: key, as: UTF8.self) == "user:42")
            #expect(key.startIndex == 0 && key[0] == UInt8(ascii: "u") && key.count == 7)
            #expect(view.slice(at: 4, count: 9)?.count == 9 && view.slice(at: 4, count: 10) == nil)
            #expect(view.slice(at: -1, count: 1) == nil && view.slice(at: 13, count: 0)?.isEmpty == true)
            #expect(Array(view.prefix(upTo: 3)) == Array("GET".utf8) && view.prefix(upTo: 99).count == 13)
            #expect(Array(view.dropping(first: 11)) == [0x0d, 0x0a] && view.dropping(first: 99).isEmpty)
            #expect(view.firstIndex(of: UInt8(ascii: ":")) == 8 && view.firstIndex(of: 0x0a, from: 12) == 12)
            #expect(view.firstIndex(of: UInt8(ascii: "G"), from: 1) == nil)
        }
    }

    @Test func wordsLoadInTheirByteOrder() {
        [UInt8]([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]).withByteView { view in
            #expect(view.littleEndian(at: 0, as: UInt32.self) == 0x0403_0201)
            #expect(view.bigEndian(at: 0, as: UInt16.self) == 0x0102)
            #expect(view.littleEndian(at: 1, as: UInt64.self) == 0x0908_0706_0504_0302)
            #expect(view.littleEndian(at: 2, as: UInt64.self) == nil)
            // Every length 1...8 equals the bytes shifted in one at a time, first lowest.
            for length in 1...8 {
                let expected = (0..<length).reduce(UInt64(0)) { $0 | UInt64($1 + 2) << (UInt64($1) * 8) }
                #expect(view.word(at: 1, length: length) == expected)
            }
            #expect(view.word(at: 2, length: 8) == nil && view.word(at: 0, length: 9) == nil && view.word(at: 0, length: 0) == nil)
        }
    }

    @Test func equalityComparesBytes() {
        [UInt8]("user:1user:1user:2".utf8).withByteView { view in
            let first = view.extracting(0..<6)
            #expect(first.elementsEqual(view.extracting(6..<12)))
            #expect(!first.elementsEqual(view.extracting(12..<18)) && !first.elementsEqual(view.extracting(0..<5)))
            #expect(view.hasPrefix(first) && !first.hasPrefix(view))
            var cursor = ByteCursor(view)
            #expect(cursor.advance(by: 6) && cursor.remaining == 12)
        }
    }

    /// The reads the line parsers make of a line (`ByteView+Text`): runs scanned to their end,
    /// ASCII comparisons with and without letter case, and the slice and string sources of views.
    @Test func textReadsOfALine() {
        [UInt8]("  GET  user:42 \tHTTP/1.1".utf8).withByteView { line in
            #expect(line.firstIndex(from: 0) { $0 != 0x20 } == 2)
            #expect(line.firstIndex(from: 2) { $0 == 0x20 } == 5)
            #expect(line.firstIndex(from: 14) { $0 == 0x09 } == 15)
            #expect(line.firstIndex(from: 16) { $0 == 0x20 } == nil && line.firstIndex(from: 99) { _ in true } == nil)
            #expect(line.firstIndex(from: -1) { _ in true } == nil)
            let method = line.extracting(2..<5)
            #expect(method.elementsEqual("GET") && !method.elementsEqual("GE") && !method.elementsEqual("GETS"))
            #expect(line.extracting(16..<24).hasPrefix("HTTP/1.") && !method.hasPrefix("GETTING"))
            #expect(ByteView.empty.elementsEqual("") && ByteView.empty.hasPrefix("") && !ByteView.empty.hasPrefix("G"))
        }
        [UInt8]("Content-LENGTH: 5".utf8).withByteView { header in
            [UInt8]("content-length".utf8).withByteView { name in
                #expect(header.extracting(0..<14).elementsEqual(ignoringASCIICase: name))
                #expect(header.hasPrefix(ignoringASCIICase: name) && !name.hasPrefix(ignoringASCIICase: header))
                #expect(!header.elementsEqual(ignoringASCIICase: name))
            }
            // Only letters fold: "[" (0x5b) is not "{" (0x7b) in any case.
            [UInt8]("[".utf8).withByteView { bracket in
                #expect(![UInt8]("{".utf8).withByteView { $0.elementsEqual(ignoringASCIICase: bracket) })
            }
        }
        // Unsigned order, a prefix first: the order of the bytes as numbers, as memcmp gives it.
        let ordered: [[UInt8]] = [[], [0x00], [0x00, 0x00], [0x41], [0x41, 0x42], [0x7f], [0x80], [0xff]]
        for (left, right) in zip(ordered, ordered.dropFirst()) {
            #expect(left.withByteView { l in right.withByteView { l.lexicographicallyPrecedes($0) } })
            #expect(!right.withByteView { r in left.withByteView { r.lexicographicallyPrecedes($0) } })
            #expect(!left.withByteView { l in left.withByteView { l.lexicographicallyPrecedes($0) } })
        }
        let text = "clé:1"
        #expect(text.withByteView { Array($0) } == Array(text.utf8))
        #expect(Array("abcdef".utf8)[2..<5].withByteView { Array($0) } == Array("cde".utf8))
    }
}
