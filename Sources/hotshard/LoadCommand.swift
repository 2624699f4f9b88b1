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
            sending, drains in-flight requests for up to a second and writes the result. --metrics-listen serves \
            Prometheus metrics while it runs (see README, Live metrics).
            \(ExitStatus.help([.success, .failure, .badInput, .thresholdMissed]))
            """
    )

    @Argument(help: "The workload profile (YAML), e.g. profiles/redis-zipf.yaml.")
    var profile: String

    @Option(
        help: ArgumentHelp(
            "Override the target (redis://127.0.0.1:6379, memcached://…, http://…); repeat it for a pool.",
            discussion:
                "Several targets are a pool placed by --scheme; redis+cluster://HOST:PORT is a Redis Cluster routed by its slot map (CLUSTER SHARDS). Each node gets --connections connections."
        ))
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

    @OptionGroup(title: "Live metrics") var metrics: MetricsOptions

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
            throw ExitStatus.badInput.exitCode
        }
        let (analysis, trackingNote) = output.analysis(coveringKeys: loaded.distinctKeysBound)
        if let trackingNote { print("hotshard load: \(trackingNote)", to: &stderr) }
        let metricsServer = try metrics.start(command: "load")
        let runner = LoadRunner(profile: loaded, analysis: analysis)
        let began = Date()
        if let metricsServer {
            let top = metrics.metricsTop
            runner.liveKeyLimit = max(100, 4 * top)
            runner.onLiveState = { state in metricsServer.publish(MetricsSnapshot(command: "load", live: state, top: top)) }
        }
        let interrupt = InterruptHandler { runner.stop() }
        defer { interrupt.cancel() }
        if !output.quiet {
            print(
                "hotshard load: \(loaded.target) \(loaded.arrivalDescription), \(loaded.connections) connections, pipeline \(loaded.pipeline)",
                to: &stderr)
        }
        let quiet = output.quiet
        let run = try await runner.run { progress in
            guard !quiet else { return }
            var stderr = StandardError()
            print(progress.line, to: &stderr)
        }
        metrics.publishFinal(
            metricsServer,
            with: MetricsSnapshot(command: "load", run: run, elapsedSeconds: Date().timeIntervalSince(began), top: metrics.metricsTop))
        defer { metrics.close(metricsServer) }
        var document = ResultDocument(load: run, profilePath: profile, topKeys: output.keptKeys, thresholds: loaded.thresholds)
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        output.model.attach(to: &document)
        let (jsonPath, htmlPath) = try output.write(
            document, defaultName: URL(fileURLWithPath: profile).deletingPathExtension().lastPathComponent)
        let outcomes = document.load?.thresholds ?? []
        if !output.quiet {
            print(TerminalSummary.render(document, top: output.top, includeHealth: false), terminator: "")
            print(TerminalSummary.load(document))
            if let pool = TerminalSummary.pool(document) { print(pool) }
            print("result     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
        for line in TerminalSummary.thresholds(document) { print(line, to: &stderr) }
        if interrupt.fired { print("hotshard load: interrupted; the result covers what was measured", to: &stderr) }
        if outcomes.contains(where: { !$0.passed }) {
            throw ExitStatus.thresholdMissed.exitCode
        }
    }
}
