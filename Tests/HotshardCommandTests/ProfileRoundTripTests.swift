import Foundation
import Testing
import HotshardTestSupport

/// A capture becomes a load profile and back: `analyze --emit-profile` on a real capture,
/// `synth` of that profile, `analyze` of the synthetic capture — the popularity survives
/// (Zipf exponent within 0.05, each of the top-10 shares within 10% relative, same top keys).
@Suite struct ProfileRoundTripTests {
    struct Result: Decodable {
        struct Popularity: Decodable { let zipfExponent: Double? }
        struct Entry: Decodable { let key: String?; let share: Double }
        let popularity: Popularity?
        let hotKeys: [Entry]
    }

    static func run(_ arguments: [String]) throws {
        let output = try ExternalTool.run(TopCommandTests.binary, arguments)
        #expect(output.status == 0, "hotshard \(arguments.joined(separator: " ")): \(output.stderr)")
    }

    static func read(_ path: String) throws -> Result {
        try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func emittedProfileSynthesizesTheSamePopularity() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-roundtrip").path
        try Self.run([
            "analyze", Fixtures.path("lab/redis-pipelined.pcap.gz"), "--port", "resp=16379", "--quiet",
            "--no-html", "--json", "\(directory)/original.json", "--emit-profile", "\(directory)/profile.yaml",
        ])
        try Self.run(["synth", "\(directory)/profile.yaml", "-o", "\(directory)/synthetic.pcap", "--seed", "3"])
        try Self.run(["analyze", "\(directory)/synthetic.pcap", "--quiet", "--no-html", "--json", "\(directory)/again.json"])

        let original = try Self.read("\(directory)/original.json")
        let again = try Self.read("\(directory)/again.json")
        let before = try #require(original.popularity?.zipfExponent)
        let after = try #require(again.popularity?.zipfExponent)
        #expect(abs(before - after) <= 0.05, "Zipf exponent \(before) → \(after)")
        #expect(again.hotKeys.prefix(3).map(\.key) == original.hotKeys.prefix(3).map(\.key))
        for (a, b) in zip(original.hotKeys.prefix(10), again.hotKeys.prefix(10)) {
            #expect(abs(a.share - b.share) <= 0.10 * a.share, "top-10 share \(a.share) → \(b.share)")
        }
    }
}
