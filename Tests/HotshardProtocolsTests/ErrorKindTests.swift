import HotshardBytes
import HotshardCapture
import Testing

@testable import HotshardProtocols

/// An error reply's kind is its first word, held inline: up to 15 bytes, compared by bytes and
/// count, shown as text.
@Suite struct ErrorKindTests {
    @Test func holdsUpToFifteenBytesAndComparesBytesAndCount() {
        let longest = ErrorKind("UNKNOWN_COMMAND")
        #expect(longest.count == 15 && longest.description == "UNKNOWN_COMMAND")
        let cut = ErrorKind("CLUSTERDOWN_HASHSLOT")
        #expect(cut.count == 15 && cut.description == "CLUSTERDOWN_HAS")
        #expect(ErrorKind(Array("MOVED".utf8)) == "MOVED")
        #expect(ErrorKind("MOVE") != "MOVED")
        // A zero byte is a byte: the count tells "MOVED\0" from "MOVED".
        #expect(ErrorKind([0x4d, 0x4f, 0x56, 0x45, 0x44, 0x00]) != "MOVED")
        #expect(ErrorKind("").count == 0 && ErrorKind("").description.isEmpty)
        #expect(Set<ErrorKind>(["ASK", "MOVED", "ASK"]).count == 2)
        // Bytes from the wire need not be UTF-8.
        #expect(ErrorKind([0x45, 0xff, 0x52]).description == "E\u{FFFD}R")
    }

    /// The kinds a RESP parser gives error replies, worked out from the protocol: the first word,
    /// cut at 15 bytes, `ERR` when there is none; in a simple error and in a RESP3 blob error.
    @Test func respErrorRepliesGiveTheirFirstWord() {
        let replies = [
            "-MOVED 3999 127.0.0.1:7001\r\n",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            "-CLUSTERDOWN_HASHSLOT_NOT_SERVED x\r\n",
            "- \r\n",
            "!21\r\nSYNTAX invalid syntax\r\n",
        ]
        var parser = RESPParser(flow: RESPSplitTests.flow)
        var kinds: [String] = []
        for reply in replies {
            Array("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".utf8).withByteView { bytes in
                parser.feed(.clientToServer, timestampNanos: 1, bytes: bytes) { _ in }
            }
            Array(reply.utf8).withByteView { bytes in
                parser.feed(.serverToClient, timestampNanos: 2, bytes: bytes) { message in
                    if case .error(let kind) = message.status { kinds.append(kind.description) }
                }
            }
        }
        #expect(kinds == ["MOVED", "WRONGTYPE", "CLUSTERDOWN_HAS", "ERR", "SYNTAX"])
    }
}
