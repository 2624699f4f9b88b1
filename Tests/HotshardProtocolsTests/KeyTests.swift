import Foundation
import Testing
@testable import HotshardProtocols

@Suite struct KeyTests {
    @Test func escapesNonPrintableBytes() {
        let key = Key([0x61, 0x00, 0x5c, 0xff, 0x7a])
        #expect(key.escaped == "a\\x00\\\\\\xffz")
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
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
}
