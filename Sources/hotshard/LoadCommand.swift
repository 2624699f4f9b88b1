import ArgumentParser
import Foundation
import HotshardAnalysis
import HotshardLoad
import HotshardReport

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Synthetic open-loop load against a server from a workload profile.",
        discussion: """
        Targets must be on loopback (127.0.0.0/8, ::1). Progress once a second on stderr; Ctrl-C stops \
        sending, drains in-flight requests for up to a second and writes the result.
        Exit status: 0 ok; 1 error; \(thresholdMissedStatus) a threshold of the profile was missed (the result is written).
        """
    )

    static let thresholdMissedStatus: Int32 = 4

    @Argument(help: "The workload profile (YAML), e.g. profiles/redis-zipf.yaml.")
    var profile: String

    @Option(help: ArgumentHelp("Override the target (redis://127.0.0.1:6379, memcached://…, http://…); repeat it for a pool.",
                               discussion: "Several targets are a pool placed by --scheme; redis+cluster://HOST:PORT is a Redis Cluster routed by its slot map (CLUSTER SHARDS). Each node gets --connections connections."))
    var target: [String] = []

    @Option(help: "A pool's placement scheme, as `hotshard place` knows it (ketama, jump, rendezvous, modulo-crc32, …); no default.")
    var scheme: String?

    @Option(help: "Override the arrival rate (requests/s; makes a ramp or steps profile constant).")
    var rate: Double?

    @Option(help: "Override the measured duration (30s, 500ms, 2m).")
    var duration: String?

    @Option(help: "Override: stop after this many measured requests.")
    var requests: Int?

    @Option(help: "Override the warm-up (excluded from the result).")
    var warmup: String?

    @Option(help: "Override the number of connections.")
    var connections: Int?

    @Option(help: "Override the pipeline depth per connection.")
    var pipeline: Int?

    @Option(help: "Override the number of event-loop threads.")
    var threads: Int?

    @Option(help: "Override the random seed (keys, operations, Poisson gaps).")
    var seed: UInt64?

    @OptionGroup var output: ResultOutputOptions

    func run() async throws {
        var stderr = StandardError()
        let loaded: LoadProfile
        do {
            var overrides = ProfileOverrides()
            overrides.targets = target
            overrides.scheme = scheme
            overrides.rate = rate
            overrides.duration = duration
            overrides.requests = requests
            overrides.warmup = warmup
            overrides.connections = connections
            overrides.pipeline = pipeline
            overrides.threads = threads
            overrides.seed = seed
            loaded = try overrides.apply(to: try ProfileReader.read(path: profile))
        } catch {
            print("hotshard load: \(error.description)", to: &stderr)
            throw ExitCode.failure
        }
        let (analysis, trackingNote) = output.analysis(coveringKeys: loaded.distinctKeysBound)
        if let trackingNote { print("hotshard load: \(trackingNote)", to: &stderr) }
        let runner = LoadRunner(profile: loaded, analysis: analysis)
        let interrupt = InterruptHandler { runner.stop() }
        defer { interrupt.cancel() }
        if !output.quiet {
            print("hotshard load: \(loaded.target) \(LoadRunnerDescription.arrival(loaded)), \(loaded.connections) connections, pipeline \(loaded.pipeline)",
                  to: &stderr)
        }
        let quiet = output.quiet
        let run = try await runner.run { progress in
            guard !quiet else { return }
            var stderr = StandardError()
            print(progress.line, to: &stderr)
        }
        var document = ResultDocument(load: run, profilePath: profile, topKeys: output.keptKeys, thresholds: loaded.thresholds)
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        output.model.attach(to: &document)
        let (jsonPath, htmlPath) = try output.write(
            document, defaultName: URL(fileURLWithPath: profile).deletingPathExtension().lastPathComponent)
        let outcomes = document.load?.thresholds ?? []
        if !output.quiet {
            print(TerminalSummary.render(document, top: output.top, includeHealth: false), terminator: "")
            print(Self.loadSummary(document))
            if let pool = TerminalSummary.pool(document) { print(pool) }
            print("result     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
        for outcome in outcomes {
            print("threshold  \(outcome.passed ? "pass" : "MISSED")  \(outcome.rule)  (measured \(Self.format(outcome)))",
                  to: &stderr)
        }
        if interrupt.fired { print("hotshard load: interrupted; the result covers what was measured", to: &stderr) }
        if outcomes.contains(where: { !$0.passed }) {
            throw ExitCode(Self.thresholdMissedStatus)
        }
    }

    static func format(_ outcome: ResultDocument.LoadSection.ThresholdOutcome) -> String {
        let rule = outcome.rule.lowercased()
        if rule.hasPrefix("errors") || rule.hasPrefix("throughput") {
            return rule.contains("%") ? String(format: "%.3f%%", outcome.measured * 100) : String(format: "%.1f", outcome.measured)
        }
        return String(format: "%.3fms", outcome.measured / 1000)
    }

    static func loadSummary(_ document: ResultDocument) -> String {
        guard let load = document.load else { return "" }
        var lines: [String] = []
        let target = load.targetRate.map { String(format: "%.0f/s", $0) }
            ?? (document.replay.map { $0.timing } ?? "closed loop")
        lines.append(String(format: "load       %@ → %@; target %@, actual %.0f/s over %.1f s", load.arrival, load.target,
                            target, load.actualRate, load.measuredSeconds))
        lines.append("requests   sent \(load.requestsSent), completed \(load.completed), errors \(load.errors)"
            + (load.errorsByKind.isEmpty ? "" : " (" + load.errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
            + ", dropped \(load.dropped), timeouts \(load.timeouts), reconnects \(load.reconnects)")
        func row(_ name: String, _ summary: ResultDocument.LatencySummary?) -> String {
            guard let summary else { return "\(name) —" }
            return String(format: "%@ p50 %.3fms  p90 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms", name, summary.p50 / 1000,
                          summary.p90 / 1000, summary.p99 / 1000, summary.p999 / 1000, summary.max / 1000)
        }
        lines.append(row("corrected ", document.latency.corrected))
        lines.append(row("service   ", document.latency.service))
        return lines.joined(separator: "\n")
    }
}

enum LoadRunnerDescription {
    static func arrival(_ profile: LoadProfile) -> String {
        switch profile.arrival {
        case .constant(let rate): "constant \(Int(rate))/s"
        case .poisson(let rate): "poisson \(Int(rate))/s"
        case .ramp(let from, let to, let seconds): "ramp \(Int(from))→\(Int(to))/s over \(seconds)s"
        case .steps(let steps): "\(steps.count) steps"
        case .closedLoop: "closed loop"
        }
    }
}
