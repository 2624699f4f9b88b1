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
}
