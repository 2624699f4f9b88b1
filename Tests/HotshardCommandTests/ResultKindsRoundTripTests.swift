import Foundation
import HotshardReport
import HotshardTestSupport
import Testing

/// Every kind of result the commands write — analyze, merge, plan, load, replay, top — read back
/// through the one codec and written again holds the same content, section by section.
@Suite(.serialized) struct ResultKindsRoundTripTests {
    /// Runs hotshard; `accept` also allows 4 (a threshold missed: a debug build on a busy machine
    /// may miss the profile's p99, and the result is written all the same).
    static func run(_ arguments: [String], accept: Set<Int32> = [0]) throws {
        let output = try ExternalTool.run(TopCommandTests.binary, arguments)
        #expect(accept.contains(output.status), "hotshard \(arguments.joined(separator: " ")): \(output.stderr)")
    }

    /// Reads `path`, checks the sections its kind must have, and that writing it again and
    /// reading that back gives the same document.
    static func roundTrip(_ path: String, kind: String, sections: (ResultDocument) -> [Any?]) throws {
        let document = try ResultDocument.read(fromPath: path)
        #expect(document.schemaVersion == ResultDocument.currentSchemaVersion, "\(kind)")
        for (index, section) in sections(document).enumerated() { #expect(section != nil, "\(kind): section \(index)") }
        let again = try ResultDocument.decode(json: document.encodedJSON())
        #expect(try again.canonicalJSON() == document.canonicalJSON(), "\(kind) changed in a round trip")
    }

    @Test(.enabled(if: RealServer.isAvailable(.redis), "needs redis-server: skipped"))
    func everyKindRoundTrips() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-kinds").path
        let part1 = Fixtures.path("lab/redis-flash-sale.part1.pcap.gz")
        let part2 = Fixtures.path("lab/redis-flash-sale.part2.pcap.gz")
        try Self.run(["analyze", part1, "--json", "\(directory)/a1.json", "--no-html", "--quiet"])
        try Self.run(["analyze", part2, "--json", "\(directory)/a2.json", "--no-html", "--quiet"])
        try Self.run(["merge", "\(directory)/a1.json", "\(directory)/a2.json", "--json", "\(directory)/m.json", "--no-html", "--quiet"])
        try Self.run(["plan", "\(directory)/a1.json", "--json", "\(directory)/p.json", "--node-capacity", "500"])
        try Self.roundTrip("\(directory)/a1.json", kind: "analyze") { [$0.summaryState, $0.model] }
        try Self.roundTrip("\(directory)/m.json", kind: "merge") { [$0.summaryState, $0.model] }
        try Self.roundTrip("\(directory)/p.json", kind: "plan") { [$0.model] }

        let server = try RealServer(.redis)
        defer { server.stop() }
        let target = "redis://127.0.0.1:\(server.port)"
        try Self.run(
            [
                "load", Fixtures.path("../../profiles/redis-zipf.yaml"), "--target", target, "--requests", "3000",
                "--rate", "3000", "--warmup", "0s", "--json", "\(directory)/l.json", "--no-html", "--quiet",
            ], accept: [0, 4])
        try Self.run([
            "replay", Fixtures.path("lab/redis-pipelined.pcap.gz"), "--target", target, "--max",
            "--json", "\(directory)/r.json", "--no-html", "--quiet",
        ])
        try Self.roundTrip("\(directory)/l.json", kind: "load") { [$0.summaryState, $0.load, $0.latency.corrected] }
        try Self.roundTrip("\(directory)/r.json", kind: "replay") { [$0.summaryState, $0.load, $0.replay] }

    }

    @Test(.enabled(if: TopCommandTests.canRun, "top's live capture needs root and tmux: skipped"))
    func topResultRoundTrips() throws {
        let top = try Fixtures.temporaryDirectory("hotshard-kinds-top").appendingPathComponent("t.json").path
        let session = "hotshard-kinds-\(getpid())"
        TopCommandTests.startInTmux(session, "\(TopCommandTests.binary) top -i lo --filter \"tcp port 9\" --duration 2 --json \(top)")
        defer { _ = try? ExternalTool.run(TopCommandTests.tmux, ["kill-session", "-t", session]) }
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: top) { Thread.sleep(forTimeInterval: 0.1) }
        try Self.roundTrip(top, kind: "top") { [$0.summaryState] }
    }
}
