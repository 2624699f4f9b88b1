import Foundation
import Testing
import HotshardTestSupport

/// The model in the main flow, sized on the traffic's peaks: `analyze` writes it, `plan` re-runs it
/// identically, and a flash sale is not averaged away.
@Suite(.serialized) struct PeakSizingTests {
    struct Model: Decodable, Equatable {
        struct Recommendation: Decodable, Equatable {
            let kind: String
            let key: String?
            let factor: Double?
        }
        struct SizedOn: Decodable, Equatable {
            let basis: String
            let windowStart: Double
            let windowSeconds: Double
        }
        struct Series: Decodable, Equatable {
            struct Point: Decodable, Equatable { let start: Double; let recommended: Double? }
            let points: [Point]
        }
        let capacityPerNode: Double?
        let targetUtilisation: Double
        let recommendations: [Recommendation]
        let sizedOn: SizedOn?
        let hottestNodeOverTime: Series?
    }
    struct Result: Decodable {
        struct Totals: Decodable { let durationSeconds: Double }
        let totals: Totals
        let model: Model?
    }

    static func run(_ arguments: [String]) throws -> String {
        let output = try ExternalTool.run(TopCommandTests.binary, arguments)
        #expect(output.status == 0, "hotshard \(arguments.joined(separator: " ")): \(output.stderr)")
        return output.stdout
    }

    static func read(_ path: String) throws -> Result {
        try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func remedies(_ model: Model, for key: String) -> [Model.Recommendation] {
        model.recommendations.filter { $0.key == key && ["split", "replicate", "cache"].contains($0.kind) }
    }

    /// The demo's flash sale (profiles/redis-flash-sale.yaml) at a tenth of its rates, so that a
    /// debug build synthesises and analyses it in seconds: from 20 s to 40 s the rate is 1,000/s
    /// and `sale:item:42` takes a third of it, so it peaks near 330/s while its mean over the 60 s
    /// run is near 110/s. At a node capacity of 300/s (210/s at the 0.7 target) the key fits on
    /// average but not at the peak: the remedy must be there, sized on the peak (⌈330 ÷ 210⌉ = 2
    /// pieces); at 700/s (490/s) it fits even at its busiest second.
    @Test func demoFlashSaleIsSizedOnItsPeak() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-peak").path
        let demo = try String(contentsOfFile: Fixtures.path("../../profiles/redis-flash-sale.yaml"), encoding: .utf8)
        let scaled = demo.replacingOccurrences(of: "rate: 5000", with: "rate: 500")
            .replacingOccurrences(of: "rate: 10000", with: "rate: 1000")
        try #require(scaled != demo && scaled.contains("rate: 1000 "))
        try scaled.write(toFile: "\(directory)/flash.yaml", atomically: true, encoding: .utf8)
        _ = try Self.run(["synth", "\(directory)/flash.yaml", "-o", "\(directory)/demo.pcap"])
        let summary = try Self.run([
            "analyze", "\(directory)/demo.pcap", "--node-capacity", "300", "--no-html",
            "--json", "\(directory)/analyzed.json",
        ])
        let analyzed = try Self.read("\(directory)/analyzed.json")
        let model = try #require(analyzed.model)
        #expect(model.capacityPerNode == 300)
        let sized = try #require(model.sizedOn)
        #expect(sized.basis == "peak")
        // The busiest window is inside the sale.
        #expect(sized.windowStart >= 19 && sized.windowStart < 41, "sized on the window at \(sized.windowStart) s")
        let remedies = Self.remedies(model, for: "sale:item:42")
        #expect(!remedies.isEmpty, "no remedy for the flash key at 300/s per node")
        #expect(remedies.allSatisfy { $0.kind == "cache" || $0.factor == 2 }, "\(remedies)")
        // In the window it was sized on, the recommended layout (remedies applied) meets the target.
        let series = try #require(model.hottestNodeOverTime)
        let atPeak = try #require(series.points.first { $0.start == sized.windowStart }?.recommended)
        #expect(atPeak <= model.targetUtilisation + 1e-9, "busiest node at \(atPeak) in the sizing window")
        // The terminal ends with the recommendation.
        #expect(summary.contains("model      sized on the busiest 1 s window"))
        #expect(summary.contains("remedy     'sale:item:42'"))

        // plan on the saved result, same options: the identical model.
        _ = try Self.run(["plan", "\(directory)/analyzed.json", "--node-capacity", "300", "--json", "\(directory)/planned.json"])
        #expect(try Self.read("\(directory)/planned.json").model == model)

        // Above the key's peak: no remedy for it.
        _ = try Self.run(["plan", "\(directory)/analyzed.json", "--node-capacity", "700", "--json", "\(directory)/roomy.json"])
        let roomy = try #require(try Self.read("\(directory)/roomy.json").model)
        #expect(Self.remedies(roomy, for: "sale:item:42").isEmpty)

        // Sized on the mean, the sale is averaged away: the same capacity sees no problem.
        _ = try Self.run([
            "plan", "\(directory)/analyzed.json", "--node-capacity", "300", "--rate-basis", "mean",
            "--json", "\(directory)/mean.json",
        ])
        let mean = try #require(try Self.read("\(directory)/mean.json").model)
        #expect(mean.sizedOn?.basis == "mean")
        #expect(Self.remedies(mean, for: "sale:item:42").isEmpty)
    }

    /// At a constant rate every full window carries the mean: peak and mean give the same plan.
    @Test func constantRateGivesTheSamePlanOnPeakAndMean() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-constant").path
        try """
        target: redis://127.0.0.1:6379
        connections: 4
        seed: 3
        arrival: {kind: constant, rate: 2000}
        duration: 10s
        keys: {count: 5000, format: "item:{n}", distribution: {kind: uniform}}
        operations: [{op: GET, weight: 1}]
        """.write(toFile: "\(directory)/constant.yaml", atomically: true, encoding: .utf8)
        _ = try Self.run(["synth", "\(directory)/constant.yaml", "-o", "\(directory)/constant.pcap"])
        _ = try Self.run([
            "analyze", "\(directory)/constant.pcap", "--node-capacity", "300", "--no-html",
            "--json", "\(directory)/peak.json",
        ])
        _ = try Self.run([
            "plan", "\(directory)/peak.json", "--node-capacity", "300", "--rate-basis", "mean",
            "--json", "\(directory)/mean.json",
        ])
        let peak = try #require(try Self.read("\(directory)/peak.json").model)
        let mean = try #require(try Self.read("\(directory)/mean.json").model)
        #expect(peak.sizedOn?.basis == "peak" && mean.sizedOn?.basis == "mean")
        // 2,000/s over nodes of 300/s at 0.7 (210/s): at least ⌈2000 ÷ 210⌉ = 10 nodes either way.
        let nodes = { (model: Model) in model.recommendations.first { $0.kind == "nodes" }?.factor }
        #expect(nodes(peak) == nodes(mean))
        #expect((nodes(peak) ?? 0) >= 10)
        #expect(peak.recommendations.first { $0.kind == "scheme" } == mean.recommendations.first { $0.kind == "scheme" })
    }
}
