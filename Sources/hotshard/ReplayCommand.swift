import ArgumentParser
import Foundation
import HotshardAnalysis
import HotshardLoad
import HotshardProtocols
import HotshardReport

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-send the requests of captures to a server: original timing, a speed factor, a rate, or as fast as possible.",
        discussion: """
            Each original connection's requests keep their order on one replay connection. Progress once a second on \
            stderr; Ctrl-C stops sending, drains in-flight requests for up to a second and writes the result. Writes to a \
            target that is not on loopback need --allow-writes (or --only-reads).
            \(ExitStatus.help([.success, .failure, .badInput, .thresholdMissed]))
            """
    )

    @Argument(help: "Capture files (pcap, pcapng, .gz), merged in time order.")
    var captures: [String]

    @Option(
        help: ArgumentHelp(
            "Where to send: redis://HOST:PORT, memcached://HOST:PORT or http://HOST:PORT; repeat it for a pool.",
            discussion:
                "Several targets are a pool placed by --scheme (each request goes to its first key's node); redis+cluster://HOST:PORT is a Redis Cluster routed by its slot map."
        ))
    var target: [String]

    @Option(help: "A pool's placement scheme, as `hotshard place` knows it (ketama, jump, rendezvous, modulo-crc32, …); no default.")
    var scheme: String?

    @Option(help: "Replay connections (default: one per original connection; original i goes to i mod N).")
    var connections: Int?

    @Option(help: "Replay F times as fast as captured (2 = twice as fast).")
    var speed: Double?

    @Option(help: "Replay at a fixed rate (requests/s), in capture order.")
    var rate: Double?

    @Flag(help: "As fast as possible: every connection keeps --pipeline requests in flight.")
    var max = false

    @Option(help: "Requests in flight per connection at most (default 1 with --max, 1000 otherwise).")
    var pipeline: Int?

    @Option(help: "Times through the capture (0: until --duration).")
    var loop: Int?

    @Option(help: "Stop after this long (30s, 500ms, 2m); loops the capture when no --loop is given.")
    var duration: String?

    @Flag(name: .customLong("only-reads"), help: "Send reads only (writes and anything else are dropped).")
    var onlyReads = false

    @Flag(name: .customLong("allow-writes"), help: "Allow replaying writes to a target that is not on loopback.")
    var allowWrites = false

    @Option(help: "Replay only this command (GET, SET, CLIENT…); repeatable.")
    var include: [String] = []

    @Option(help: "Do not replay this command; repeatable.")
    var exclude: [String] = []

    @Option(name: .customLong("key-prefix"), help: "P: put P before every key; FROM=TO: replace a leading FROM by TO.")
    var keyPrefix: String?

    @Option(help: "Replay this fraction of the requests (0 < P ≤ 1), chosen by --seed.")
    var sample: Double?

    @Option(help: "Seed of --sample.")
    var seed: UInt64 = 1

    @Option(help: "Replay from this time in the capture (seconds from its first packet, or 30s, 2m).")
    var from: String?

    @Option(help: "Replay up to this time in the capture.")
    var to: String?

    @Option(help: "Rule that sets the exit status, as in profiles: \"p99 < 5ms\", \"errors < 1%\"; repeatable.")
    var threshold: [String] = []

    @Option(help: "A request unanswered this long is a timeout (seconds).")
    var timeout: Double = 5

    @Option(name: .customLong("port"), help: "PROTO=PORT: the protocol spoken on a server port of the capture; repeatable.")
    var ports: [String] = []

    @Option(name: .customLong("http-key"), help: "What names an HTTP request's key (route collapses ID-like path segments).")
    var httpKey: HTTPKeyMode = .path

    @Option(name: .customLong("max-queued"), help: "Requests read ahead of the replay clock at most (bounds memory).")
    var maxQueued: Int = ReplayOptions().maxQueuedRequests

    @OptionGroup var histogramLog: HistogramLogOption

    @OptionGroup var output: ResultOutputOptions

    @OptionGroup(title: "Live metrics") var metrics: MetricsOptions

    func validate() throws {
        if [speed != nil, rate != nil, max].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --speed, --rate and --max")
        }
        if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be above 0") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be above 0") }
        if let sample, !(sample > 0 && sample <= 1) { throw ValidationError("--sample must be in (0, 1]") }
        if let connections, connections < 1 { throw ValidationError("--connections must be at least 1") }
        if let pipeline, pipeline < 1 { throw ValidationError("--pipeline must be at least 1") }
        if let loop, loop < 0 { throw ValidationError("--loop must be 0 or more") }
        if loop == 0, duration == nil { throw ValidationError("--loop 0 (endless) needs --duration") }
        if maxQueued < 1 { throw ValidationError("--max-queued must be at least 1") }
    }

    func run() async throws {
        var stderr = StandardError()
        let parsedTarget: LoadTarget
        let pool: LoadPool?
        do {
            (parsedTarget, pool) = try LoadPool.parse(targets: target, scheme: scheme, loopbackOnly: false)
        } catch {
            print("hotshard replay: \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        if let outside = (pool?.nodes ?? [parsedTarget]).first(where: { !LoadTarget.isLoopback($0.host) }), !onlyReads, !allowWrites {
            let parsedTarget = outside
            print(
                "hotshard replay: \(parsedTarget) is not on loopback: replaying writes there needs --allow-writes "
                    + "(or --only-reads)", to: &stderr)
            throw ExitStatus.failure.exitCode
        }
        var options = ReplayOptions()
        if let speed { options.timing = .original(speed: speed) }
        if let rate { options.timing = .rate(rate) }
        if max { options.timing = .max }
        options.pipeline = pipeline ?? (max ? 1 : 1_000)
        options.connections = connections
        options.loops = loop ?? (duration == nil ? 1 : 0)
        options.onlyReads = onlyReads
        options.include = Set(include.map { $0.uppercased() })
        options.exclude = Set(exclude.map { $0.uppercased() })
        options.keyRewrite = keyPrefix.map(KeyRewrite.init(parsing:))
        options.sample = sample ?? 1
        options.seed = seed
        options.maxQueuedRequests = maxQueued
        for (text, label) in [(from, "--from"), (to, "--to")] {
            guard let text else { continue }
            guard let seconds = Double(text) ?? ProfileOverrides.seconds(text), seconds >= 0 else {
                throw ValidationError("\(label) \(text): expected seconds from the capture's start, such as 30 or 2m")
            }
            if label == "--from" { options.fromSeconds = seconds } else { options.toSeconds = seconds }
        }
        for option in ports { try options.decoder.addPortOption(option) }
        options.decoder.httpKey = httpKey
        var thresholds: [Threshold] = []
        for rule in threshold {
            do {
                thresholds.append(try Threshold(parsing: rule))
            } catch {
                print("hotshard replay: --threshold \(rule): \(error.description)", to: &stderr)
                throw ExitStatus.badInput.exitCode
            }
        }
        let runner = ReplayRunner(files: captures, target: parsedTarget, options: options, analysis: output.analysis)
        runner.pool = pool
        runner.histogramLogPath = histogramLog.hlog
        if let duration {
            guard let seconds = ProfileOverrides.seconds(duration), seconds > 0 else {
                throw ValidationError("--duration \(duration) is not a duration such as 30s or 500ms")
            }
            runner.durationSeconds = seconds
        }
        runner.thresholds = thresholds
        runner.timeoutSeconds = timeout
        let metricsServer = try metrics.start(command: "replay")
        let began = Date()
        if let metricsServer {
            let top = metrics.metricsTop
            runner.liveKeyLimit = Swift.max(100, 4 * top)
            runner.onLiveState = { state in metricsServer.publish(MetricsSnapshot(command: "replay", live: state, top: top)) }
        }
        let interrupt = InterruptHandler { runner.stop() }
        defer { interrupt.cancel() }
        if !output.quiet {
            print("hotshard replay: \(captures.joined(separator: ", ")) → \(parsedTarget)", to: &stderr)
        }
        let quiet = output.quiet
        let run: ReplayRun
        do {
            run = try await runner.run { progress in
                guard !quiet else { return }
                var stderr = StandardError()
                print(progress.line, to: &stderr)
            }
        } catch {
            metricsServer?.stop()
            print("hotshard replay: \(error)", to: &stderr)
            throw ExitStatus.failure.exitCode
        }
        metrics.publishFinal(
            metricsServer,
            with: MetricsSnapshot(
                command: "replay", run: run.load, elapsedSeconds: Date().timeIntervalSince(began), top: metrics.metricsTop))
        defer { metrics.close(metricsServer) }
        var document = ResultDocument(replay: run, topKeys: output.keptKeys, thresholds: thresholds)
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        output.model.attach(to: &document)
        let firstName = URL(fileURLWithPath: captures.first ?? "replay").lastPathComponent
            .replacingOccurrences(of: ".gz", with: "").replacingOccurrences(of: ".pcapng", with: "")
            .replacingOccurrences(of: ".pcap", with: "")
        let (jsonPath, htmlPath) = try output.write(document, defaultName: firstName, prefix: "replay-")
        let outcomes = document.load?.thresholds ?? []
        if !output.quiet {
            print(TerminalSummary.render(document, top: output.top, includeHealth: false), terminator: "")
            print(TerminalSummary.load(document))
            print(TerminalSummary.replay(document))
            if let pool = TerminalSummary.pool(document) { print(pool) }
            print("result     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
        for problem in run.problems { print("hotshard replay: \(problem)", to: &stderr) }
        for line in TerminalSummary.thresholds(document) { print(line, to: &stderr) }
        if interrupt.fired { print("hotshard replay: interrupted; the result covers what was replayed", to: &stderr) }
        if outcomes.contains(where: { !$0.passed }) {
            throw ExitStatus.thresholdMissed.exitCode
        }
    }
}
