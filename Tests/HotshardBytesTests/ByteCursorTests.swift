import Testing

@testable import HotshardBytes

/// The byte cursor every parser reads through: a read that runs past the end returns nil and
/// leaves the cursor in place (the parser waits for more data), and numbers are exact to Int64's
/// limits.
@Suite struct ByteCursorTests {
    /// Runs `body` on a cursor over `text`'s UTF-8 bytes.
    func withCursor<T>(_ text: String, _ body: (inout ByteCursor) -> T) -> T {
        Array(text.utf8).withByteView { bytes in
            var cursor = ByteCursor(bytes)
            return body(&cursor)
        }
    }

    func string(_ bytes: ByteView?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func emptyInputReadsNothing() {
        var cursor = ByteCursor(.empty)
        #expect(cursor.isAtEnd && cursor.remaining == 0 && cursor.count == 0)
        #expect(cursor.peek() == nil && cursor.readByte() == nil)
        #expect(cursor.readLine() == nil && cursor.readDecimal() == nil && cursor.readLengthLine() == nil)
        #expect(cursor.peekUInt16(at: 0) == nil && cursor.peekWord(at: 0, length: 1) == nil)
        #expect(cursor.advance(by: 0) && !cursor.advance(by: 1) && cursor.offset == 0)
        #expect(cursor.readBytes(0)?.count == 0 && cursor.readBytes(1) == nil)
        #expect(cursor.rest.isEmpty)
    }

    @Test func boundariesAreCheckedAndAFailedReadDoesNotMove() {
        withCursor("ab") { cursor in
            #expect(cursor.peek(at: -1) == nil && cursor.peek(at: 2) == nil && cursor.peek(at: 1) == UInt8(ascii: "b"))
            #expect(cursor.peekUInt16(at: 1) == nil && cursor.peekUInt16(at: 0) != nil)
            #expect(cursor.bytes(at: 1, count: 2) == nil && cursor.bytes(at: 2, count: 0)?.count == 0)
            #expect(cursor.bytes(at: 3, count: 0) == nil && cursor.bytes(at: 0, count: -1) == nil)
            #expect(cursor.readBytes(3) == nil && cursor.offset == 0)
            #expect(!cursor.advance(by: 3) && !cursor.advance(by: -1) && cursor.offset == 0)
            #expect(cursor.readByte() == UInt8(ascii: "a") && cursor.remaining == 1)
            #expect(!cursor.read(UInt8(ascii: "x")) && cursor.read(UInt8(ascii: "b")) && cursor.isAtEnd)
            #expect(cursor.readByte() == nil && cursor.offset == 2)
        }
    }

    /// The RESP specification's own example (redis.io/docs/latest/develop/reference/protocol-spec,
    /// "Arrays"): `*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n`, the array of "hello" and "world".
    @Test func readsThePublishedRESPArrayExample() {
        withCursor("*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n") { cursor in
            #expect(cursor.read(UInt8(ascii: "*")) && cursor.readLengthLine() == 2)
            var words: [String] = []
            for _ in 0..<2 {
                let isBulk = cursor.read(UInt8(ascii: "$"))
                #expect(isBulk)
                guard let length = cursor.readLengthLine() else { break }
                words.append(string(cursor.readBytes(length)) ?? "")
                let ended = cursor.readCRLF()
                #expect(ended)
            }
            #expect(words == ["hello", "world"] && cursor.isAtEnd)
        }
    }

    @Test func partialInputWaitsForMoreData() {
        // Cut at every byte, the example reads nothing wrong: each read either succeeds or
        // leaves the cursor where it was.
        let whole = "$5\r\nhello\r\n"
        for cut in 0..<whole.utf8.count {
            withCursor(String(whole.utf8.prefix(cut))!) { cursor in
                guard cursor.read(UInt8(ascii: "$")) else { return }
                let before = cursor.offset
                guard let length = cursor.readLengthLine() else {
                    #expect(cursor.offset == before)
                    return
                }
                #expect(length == 5 && cursor.readBytes(length + 2) == nil && cursor.offset == 4)
            }
        }
        withCursor("GET key") { cursor in #expect(cursor.readLine() == nil && cursor.offset == 0) }
        // A number at the end of the bytes may go on in the next piece.
        withCursor("12") { cursor in #expect(cursor.readDecimal() == nil && cursor.offset == 0) }
    }

    @Test func linesEndAtNewlineWithOrWithoutReturn() {
        withCursor("GET /a HTTP/1.1\r\nHost: x\n\r\n") { cursor in
            #expect(string(cursor.readLine()) == "GET /a HTTP/1.1")
            #expect(string(cursor.readLine()) == "Host: x")
            #expect(string(cursor.readLine()) == "" && cursor.isAtEnd)
        }
        withCursor("+OK\n") { cursor in #expect(cursor.readLine(strict: true) == nil && cursor.offset == 0) }
        withCursor("\n") { cursor in #expect(cursor.readLine(strict: true) == nil && cursor.readLine()?.count == 0) }
    }

    @Test func decimalsAtTheLimitsOfInt64() {
        withCursor("9223372036854775807\r") { cursor in #expect(cursor.readDecimal() == Int64.max && cursor.peek() == 0x0d) }
        withCursor("-9223372036854775808 ") { cursor in #expect(cursor.readDecimal() == Int64.min && cursor.remaining == 1) }
        withCursor("9223372036854775808\r") { cursor in #expect(cursor.readDecimal() == nil && cursor.offset == 0) }
        withCursor("-9223372036854775809\r") { cursor in #expect(cursor.readDecimal() == nil && cursor.offset == 0) }
        withCursor("99999999999999999999\r") { cursor in #expect(cursor.readDecimal() == nil) }
        withCursor("-0\r") { cursor in #expect(cursor.readDecimal() == 0) }
        withCursor("007x") { cursor in #expect(cursor.readDecimal() == 7 && cursor.peek() == UInt8(ascii: "x")) }
        withCursor("-\r") { cursor in #expect(cursor.readDecimal() == nil && cursor.offset == 0) }
        withCursor("x1\r") { cursor in #expect(cursor.readDecimal() == nil) }
    }

    @Test func lengthLinesHaveAtMostNineDigitsAndEndInCRLF() {
        withCursor("3\r\n") { cursor in #expect(cursor.readLengthLine() == 3 && cursor.isAtEnd) }
        withCursor("123456789\r\n") { cursor in #expect(cursor.readLengthLine() == 123_456_789) }
        withCursor("1234567890\r\n") { cursor in #expect(cursor.readLengthLine() == nil && cursor.offset == 0) }
        withCursor("-1\r\n") { cursor in #expect(cursor.readLengthLine() == nil) }
        withCursor("12\n") { cursor in #expect(cursor.readLengthLine() == nil) }
        withCursor("\r\n") { cursor in #expect(cursor.readLengthLine() == nil) }
    }

    @Test func wordsReadTheFirstByteLowest() {
        withCursor("GETSET12x") { cursor in
            #expect(cursor.peekWord(at: 0, length: 3) == 0x54_45_47)  // "GET"
            #expect(cursor.peekWord(at: 0, length: 8) == UInt64(littleEndian: 0x3231_5445_5354_4547))
            #expect(cursor.peekWord(at: 2, length: 8) == nil && cursor.peekWord(at: 0, length: 0) == nil)
            #expect(cursor.peekWord(at: 0, length: 9) == nil)
            #expect(cursor.firstIndex(of: UInt8(ascii: "x"), from: 3) == 8 && cursor.firstIndex(of: 0, from: 0) == nil)
        }
    }
}
