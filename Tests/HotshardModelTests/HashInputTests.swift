import HotshardBytes
import Testing

@testable import HotshardModel

/// The hash functions read their input as a `ByteView`: a view anywhere in a larger buffer (not
/// word-aligned, bytes around it) hashes to the published value of its bytes alone.
struct HashInputTests {
    /// `text`'s bytes at `offset` inside a buffer padded with 0xff before and after, as a view.
    func withPadded<Result>(_ text: String, offset: Int, _ body: (ByteView) -> Result) -> Result {
        let bytes = [UInt8](repeating: 0xff, count: offset) + Array(text.utf8) + [UInt8](repeating: 0xff, count: 9)
        return bytes.withByteView { body($0.extracting(offset..<(offset + text.utf8.count))) }
    }

    @Test(arguments: 0..<8)
    func viewsAtAnyOffsetHashToThePublishedValues(offset: Int) {
        // python-xxhash's README: xxh64("Nobody inspects the spammish repetition") = fbcea83c8a378bf1
        // (39 bytes: the 32-byte stripes, a 4-byte word and single bytes).
        #expect(withPadded("Nobody inspects the spammish repetition", offset: offset) { XXHash64.hash($0) } == 0xfbce_a83c_8a37_8bf1)
        #expect(withPadded("abc", offset: offset) { XXHash64.hash($0) } == 0x44bc_2cf5_ad77_0999)
        // The CRC catalogue's check values.
        #expect(withPadded("123456789", offset: offset) { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect(withPadded("123456789", offset: offset) { CRC16.xmodem($0) } == 0x31C3)
        // erlang:phash2(<<"key-1">>) printed by erl (OTP 25), as RabbitMQShardingTests has it.
        #expect(withPadded("key-1", offset: offset) { ErlangPhash2.hash($0) } == 5_452_885)
        #expect(withPadded("key-1", offset: offset) { ErlangPhash2.hashOfList($0) } == 57_358_350)
    }
}
