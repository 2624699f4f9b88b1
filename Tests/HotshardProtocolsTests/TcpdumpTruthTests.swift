import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import HotshardProtocols

/// tcpdump's RESP printer read the same captures (`*.out`, from tcpdump's own test suite): the
/// commands it shows going to the server are the commands found here, command by command, and
/// its malformed-input markers are parse errors here too.
@Suite struct TcpdumpTruthTests {
    /// Per command, how often tcpdump shows it in client-to-server packets: the first word of each
    /// quoted string (arrays print one string per element, inline commands one string per line).
    static func tcpdumpCommands(_ file: String, commands: Set<String>) throws -> [String: Int] {
        let text = try String(contentsOfFile: Fixtures.path("capture/\(file)"), encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.contains(".6379: ") {
            guard let resp = line.range(of: ": RESP ") else { continue }
            let quoted = line[resp.upperBound...].split(separator: "\"", omittingEmptySubsequences: false)
            for (index, part) in quoted.enumerated() where index % 2 == 1 {
                let word = part.split(separator: " ").first.map { $0.uppercased() } ?? ""
                if commands.contains(word) { counts[word, default: 0] += 1 }
            }
        }
        return counts
    }

    static func decode(_ file: String) throws -> (commands: [String: Int], health: ParserHealth) {
        let (messages, health) = try CaptureDecoding.messages([Fixtures.path("capture/\(file)")], finishAt: Int64.max)
        var commands: [String: Int] = [:]
        for message in messages { commands[message.command.uppercased(), default: 0] += 1 }
        return (commands, health)
    }

    @Test(arguments: [("resp_1_benchmark.pcap", "resp_1.out"), ("resp_2_inline.pcap", "resp_2.out")])
    func commandsAgree(capture: String, out: String) throws {
        let (ours, health) = try Self.decode(capture)
        let theirs = try Self.tcpdumpCommands(out, commands: Set(ours.keys))
        #expect(!ours.isEmpty)
        #expect(ours == theirs)
        #expect(health.parseErrors == 0)
    }

    /// resp_3: tcpdump marks a length too large, negative lengths and an empty message; the
    /// well-formed PING/INCR pipelines around them still count. resp_4 used to loop tcpdump forever.
    @Test func malformedStreamsAreCountedAndTheRestStillParses() throws {
        let (malicious, maliciousHealth) = try Self.decode("resp_3_malicious.pcap")
        #expect(maliciousHealth.parseErrors > 0)
        #expect(malicious["PING"] ?? 0 >= 9 && malicious["INCR"] ?? 0 >= 3)
        let (_, loopHealth) = try Self.decode("resp_4_infiniteloop.pcapng")
        #expect(loopHealth.parseErrors > 0)
    }
}
