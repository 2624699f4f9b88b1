import Foundation
import HotshardBytes
import Testing

@testable import HotshardProtocols

@Suite struct KeyTests {
    @Test func escapesNonPrintableBytes() {
        let key = Key([0x61, 0x00, 0x5c, 0xff, 0x7a])
        #expect(key.escaped == "a\\x00\\\\\\xffz")
    }

    /// Printable UTF-8 as itself; C0, DEL, C1, invalid UTF-8, direction overrides and the backslash escaped.
    @Test(arguments: [
        ("é{ü}", "é{ü}"), ("日本/キー", "日本/キー"), ("a\u{1b}[2J", "a\\x1b[2J"), ("del\u{7f}", "del\\x7f"),
        ("c1\u{9b}31m", "c1\\xc2\\x9b31m"), ("ab\u{202E}cd", "ab\\xe2\\x80\\xaecd"), ("back\\slash", "back\\\\slash"),
    ])
    func escapesOnlyWhatATerminalWouldMisread(text: String, shown: String) {
        #expect(Key(text).escaped == shown)
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func base64MatchesRFC4648(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func rejectsInvalidBase64() {
        #expect(Base64.decode("Zm9") == nil)
        #expect(Base64.decode("Zm=v") == nil)
        #expect(Base64.decode("Zm9*") == nil)
    }

    @Test func nonUTF8KeysEncodeAsBase64() throws {
        let key = Key([0xff, 0xfe])
        let json = String(decoding: try JSONEncoder().encode(key), as: UTF8.self)
        #expect(json == #"{"keyBase64":"\/\/4="}"#)
        #expect(try JSONDecoder().decode(Key.self, from: Data(json.utf8)) == key)
    }

    /// Keys up to 24 bytes are stored inline, longer ones in an array: every road to a key
    /// (bytes, raw buffer, text) must give the same value, hash and order on both sides of that line.
    @Test func inlineAndLongKeysAgreeAcrossTheBoundary() {
        let lengths = [0, 1, 7, 8, 15, 16, 23, 24, 25, 31, 32, 40, 100]
        let keys = lengths.map { length in (0..<length).map { UInt8(0x61 + $0 % 26) } }
        for bytes in keys {
            let fromArray = Key(bytes)
            let fromBuffer = bytes.withByteView { Key($0) }
            let fromText = Key(String(decoding: bytes, as: UTF8.self))
            #expect(fromArray == fromBuffer && fromBuffer == fromText)
            #expect(fromArray.hash64 == fromBuffer.hash64 && fromBuffer.hash64 == fromText.hash64)
            #expect(fromArray.bytes == bytes)
            #expect(fromArray.count == bytes.count)
        }
        // Prefixes sort before the longer key; a difference after byte 24 still tells keys apart.
        let sorted = keys.map { Key($0) }
        #expect(sorted == sorted.sorted())
        let a = Key(Array(repeating: 0x61, count: 30) + [0x01])
        let b = Key(Array(repeating: 0x61, count: 30) + [0x02])
        #expect(a != b && a < b && a.hash64 != b.hash64)
        // Zero bytes are part of the key: "a" and "a\0" differ.
        #expect(Key([0x61]) != Key([0x61, 0x00]))
        #expect(Key([0x61]) < Key([0x61, 0x00]))
    }

    /// Keys order as their bytes do (memcmp over the common length, then the shorter first), the
    /// order reports list keys in: inline keys compare their words, long ones their bytes, and a
    /// pair of each mixes the two. Checked against that definition on random keys of 0–40 bytes
    /// over a four-byte alphabet with zero bytes in it (so that common prefixes, zero padding and
    /// lengths decide often).
    @Test func keysOrderAsTheirBytes() {
        func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            for (x, y) in zip(a, b) where x != y { return x < y }
            return a.count < b.count
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0xff]
        let keys = (0..<400).map { _ in (0..<Int(next() % 41)).map { _ in alphabet[Int(next() % 4)] } }
        for a in keys {
            for b in keys.prefix(100) {
                #expect((Key(a) < Key(b)) == bytesPrecede(a, b), "\(a) < \(b)")
            }
        }
    }

    /// Inline keys are read a word at a time, the last word ending at the key's last byte: every
    /// length up to the inline limit and past it, cut from inside a longer buffer whose following
    /// bytes differ, must hold exactly its own bytes (and equal the same key made from an array).
    @Test func keysCutFromALongerBufferHoldOnlyTheirBytes() {
        let buffer = (0..<64).map { UInt8(0x21 + $0) }
        for offset in [0, 1, 5] {
            for length in 0...40 {
                let bytes = Array(buffer[offset..<(offset + length)])
                let key = buffer.withByteView { Key($0.extracting(offset..<(offset + length))) }
                #expect(key.bytes == bytes, "offset \(offset), length \(length)")
                #expect(key == Key(bytes) && key.hash64 == Key(bytes).hash64, "offset \(offset), length \(length)")
            }
        }
        #expect(Key() == Key([UInt8]()) && Key().hash64 == Key([UInt8]()).hash64 && Key().count == 0)
    }

    /// A key list reused request after request takes each key in place when it is inline. Every
    /// length 0…40 written over every other (inline over inline, long over inline and back, over
    /// a multi-key list) must give the key `Key(bytes)` makes, hash included, alone in the list.
    @Test func keysWrittenInPlaceEqualKeysMadeFromTheSameBytes() {
        let buffer = (0..<64).map { UInt8(0x21 + $0) }
        var list: KeyList = [KeyReference(key: Key("a")), KeyReference(key: Key("b"))]
        for length in [0, 3, 24, 25, 7, 40, 8, 0, 16, 17, 24, 1] {
            let bytes = Array(buffer[5..<(5 + length)])
            buffer.withByteView { list.replaceAll(withKey: $0.extracting(5..<(5 + length))) }
            #expect(list.count == 1 && list.tail.capacity == 0, "length \(length)")
            #expect(list[0].key == Key(bytes) && list[0].key.hash64 == Key(bytes).hash64, "length \(length)")
            #expect(list[0].hit == nil && list[0].valueBytes == 0, "length \(length)")
            list.setOutcome(at: 0, hit: true, valueBytes: 9)
        }
    }
}
