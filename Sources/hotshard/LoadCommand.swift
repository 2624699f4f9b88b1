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
            Targets must be on loopback (127.0.0.0/8, ::1) unless --allow-remote is given. Progress once a second on stderr; Ctrl-C stops \
            sending, drains in-flight requests for up to a second and writes the result. --metrics-listen serves \
            Prometheus metrics while it runs (see README, Live metrics).

            Sharded load (several processes or Kubernetes pods as one client): `--shard I/N` (or `--shards N` \
            with I from JOB_COMPLETION_INDEX) sends exactly the requests I, I+N, I+2N, … of the sequence the \
            unsharded run sends with the same seed (same intended times, keys, operations and values); give \
            every shard the same `--start-at`. `hotshard merge` of the shards' results is the whole run's result.
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

    @Flag(
        name: .customLong("allow-remote"),
        help: "Allow a --target that is not on loopback (a numeric address, e.g. a Kubernetes Service's cluster IP).")
    var allowRemote = false

    @Option(help: "A pool's placement scheme, as `hotshard place` knows it (ketama, jump, rendezvous, modulo-crc32, …); no default.")
    var scheme: String?

    @OptionGroup var schedule: ScheduleOverrideOptions

    @Option(help: "Override the warm-up (excluded from the result).")
    var warmup: String?

    @Option(help: "Override the pipeline depth per connection.")
    var pipeline: Int?

    @Option(help: "Override the number of event-loop threads.")
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Run shard I of N (I from 0, as Kubernetes' JOB_COMPLETION_INDEX): every Nth request of the run, from the Ith.",
            valueName: "I/N"))
    var shard: String?

    @Option(help: "Run one of N shards, I read from the JOB_COMPLETION_INDEX environment variable (an Indexed Job's pod index).")
    var shards: Int?

    @Option(
        name: .customLong("start-at"),
        help: ArgumentHelp(
            "Start the schedule at this instant (RFC 3339, or Unix seconds such as `date +%s.%N` prints); warm-up and phases count from it. Connections open before it.",
            valueName: "TIME"))
    var startAt: StartTime?

    @Option(
        help: ArgumentHelp("Also write the thresholds as JUnit XML (a test case per threshold, a failure for each missed one).", valueName: "PATH"))
    var junit: String?

    @OptionGroup var histogramLog: HistogramLogOption

    @OptionGroup var output: ResultOutputOptions

    @OptionGroup(title: "Live metrics") var metrics: MetricsOptions

    func validate() throws {
        _ = try resolvedShard(environment: ProcessInfo.processInfo.environment)
    }

    /// `--shard I/N`, or `--shards N` with I from `JOB_COMPLETION_INDEX`; nil when neither is given.
    func resolvedShard(environment: [String: String]) throws -> LoadShard? {
        if shard != nil, shards != nil {
            throw ValidationError("give --shard I/N or --shards N (I from \(LoadShard.indexVariable)), not both")
        }
        if let shard {
            guard let parsed = LoadShard(parsing: shard) else {
                throw ValidationError(
                    "--shard `\(shard)`: expected I/N with N at least 1 and I from 0 to N-1 (e.g. 0/4, 3/4)")
            }
            return parsed
        }
        guard let shards else { return nil }
        guard shards >= 1 else { throw ValidationError("--shards \(shards): at least 1") }
        guard let text = environment[LoadShard.indexVariable] else {
            throw ValidationError(
                "--shards \(shards) reads the shard index from \(LoadShard.indexVariable), which is not set (give --shard I/N instead)")
        }
        guard let index = Int(text.trimmingCharacters(in: .whitespaces)), let parsed = LoadShard(index: index, count: shards) else {
            throw ValidationError(
                "\(LoadShard.indexVariable)=`\(text)` is not a shard index from 0 to \(shards - 1) (--shards \(shards))")
        }
        return parsed
    }

    /// The profile's identity for the shard identity: its bytes and the overrides that change
    /// the sequence or its bounds (connections, pipeline and threads do not).
    func profileIdentity() -> String {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: profile))).map { [UInt8]($0) } ?? Array(profile.utf8)
        var overrides: [String] = []
        if !target.isEmpty { overrides.append("target=" + target.joined(separator: ",")) }
        if let scheme { overrides.append("scheme=\(scheme)") }
        if let rate = schedule.rate { overrides.append("rate=\(rate)") }
        if let duration = schedule.duration { overrides.append("duration=\(duration)") }
        if let requests = schedule.requests { overrides.append("requests=\(requests)") }
        if let seed = schedule.seed { overrides.append("seed=\(seed)") }
        if let warmup { overrides.append("warmup=\(warmup)") }
        return ShardIdentity.digest(profile: bytes, overrides: overrides)
    }

    func run() async throws {
        var stderr = StandardError()
        var loaded: LoadProfile
        do {
            var overrides = ProfileOverrides()
            overrides.targets = target
            overrides.loopbackOnly = !allowRemote
            overrides.scheme = scheme
            schedule.apply(to: &overrides)
            overrides.warmup = warmup
            overrides.pipeline = pipeline
            overrides.threads = threads
            loaded = try overrides.apply(to: try ProfileReader.read(path: profile))
        } catch {
            print("hotshard load: \(error.description)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        if let shard = try resolvedShard(environment: ProcessInfo.processInfo.environment) {
            loaded.shard = shard
            if let total = loaded.requests { loaded.requests = shard.share(ofRequests: total) }
        }
        if let startAt {
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            guard startAt.nanos > now else {
                print(
                    "hotshard load: --start-at \(startAt) is \(Double(now - startAt.nanos) / 1e9) s in the past; give a time ahead of every shard's start",
                    to: &stderr)
                throw ExitStatus.badInput.exitCode
            }
            loaded.startAtNanos = startAt.nanos
        }
        let (analysis, trackingNote) = output.analysis(coveringKeys: loaded.distinctKeysBound)
        if let trackingNote { print("hotshard load: \(trackingNote)", to: &stderr) }
        let metricsServer = try metrics.start(command: "load")
        let runner = LoadRunner(profile: loaded, analysis: analysis, histogramLogPath: histogramLog.hlog)
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
                "hotshard load: \(loaded.target) \(loaded.arrivalDescription), \(loaded.connections) connections, pipeline \(loaded.pipeline)"
                    + (loaded.shard.map { ", shard \($0)" } ?? "") + (startAt.map { ", starting at \($0)" } ?? ""),
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
        var document = ResultDocument(
            load: run, profilePath: profile, topKeys: output.keptKeys, thresholds: loaded.thresholds,
            profileIdentity: loaded.shard == nil ? nil : profileIdentity())
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        output.model.attach(to: &document)
        let (jsonPath, htmlPath) = try output.write(
            document, defaultName: URL(fileURLWithPath: profile).deletingPathExtension().lastPathComponent)
        let outcomes = document.load?.thresholds ?? []
        if let junit {
            try JUnitReport.write(document, suite: "hotshard load \(profile)", toPath: junit)
        }
        if !output.quiet {
            print(TerminalSummary.render(document, top: output.top, includeHealth: false), terminator: "")
            print(TerminalSummary.load(document))
            if let pool = TerminalSummary.pool(document) { print(pool) }
            print("result     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
        for line in TerminalSummary.thresholds(document) { print(line, to: &stderr) }
        for problem in run.problems { print("hotshard load: \(problem)", to: &stderr) }
        if interrupt.fired { print("hotshard load: interrupted; the result covers what was measured", to: &stderr) }
        if outcomes.contains(where: { !$0.passed }) {
            throw ExitStatus.thresholdMissed.exitCode
        }
    }
}
