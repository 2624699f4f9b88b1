import ArgumentParser
import Dispatch
import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardLoad
import HotshardProtocols
import HotshardReport

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Hot keys from capture files or a live interface, then model and report.",
        discussion: """
            A live capture can serve Prometheus metrics while it runs (--metrics-listen) and, as a capture agent, \
            write one result per interval and keep running (--rotate); `hotshard merge` makes one result of the \
            intervals and agents. See README, Live metrics and Capture agents.
            \(ExitStatus.help([.success, .failure, .badInput, .damagedInput]))
            """
    )

    @Argument(help: "pcap or pcapng files (.gz read transparently), merged in time order.")
    var files: [String] = []

    @Option(name: .shortAndLong, help: "Capture live from this interface instead of files.")
    var interface: String?

    @Option(help: "BPF filter applied to files and live capture.")
    var filter: String?

    @Option(help: "Stop a live capture after this many seconds.")
    var duration: Double?

    @OptionGroup var buffer: LiveBufferOption

    @Option(name: .customLong("packet-limit"), help: "Stop after this many packets.")
    var packetLimit: Int?

    @Option(name: .customLong("port"), help: "PROTO=PORT: the protocol spoken on a server port (resp, memcached, http, amqp); repeatable.")
    var ports: [String] = []

    @Flag(name: .customLong("no-detect"), help: "Do not recognise protocols by content on other ports.")
    var noDetect = false

    @Option(name: .customLong("http-key"), help: "What names an HTTP request's key (route collapses ID-like path segments).")
    var httpKey: HTTPKeyMode = .path

    @Option(
        name: .customLong("amqp-key"),
        help:
            "AMQP publish key: routing-key (default) or exchange (exchange/routing-key, for several exchanges carrying the same routing keys). Deliveries are keyed by their queue."
    )
    var amqpKey: AMQPKeyMode = .routingKey

    @Option(name: .customLong("rank-by"), help: "What ranks the hot keys.")
    var rankBy: AnalysisConfiguration.RankBy = .requests

    @Option(help: "Time window in seconds for the timeline and emerging hot keys.")
    var window: Double = 1

    @OptionGroup var output: ResultOutputOptions

    @OptionGroup var redaction: RedactionOptions

    @Option(name: .customLong("emit-profile"), help: "Write a load profile that reproduces the measured traffic.")
    var emitProfile: String?

    @Flag(help: "Print the capture health counters.")
    var stats = false

    @Option(
        help: ArgumentHelp(
            "Live capture: write one result per interval of this length (30s, 15m, 1h; at least 1s) and keep running.",
            discussion:
                "Intervals are aligned on the clock (a 15m interval starts at :00, :15, …; the first is partial), each written atomically as --output-dir/NAME-YYYYMMDDTHHMMSSZ.json (NAME: --name, default hotshard), named by its start in UTC; the analysis starts afresh in each, so memory stays that of one interval. No HTML and no model per interval: `hotshard merge` models and renders the merged intervals.",
            valueName: "duration"))
    var rotate: String?

    @Option(name: .customLong("output-dir"), help: "With --rotate: the directory of the interval results (default reports/live-IFACE).")
    var outputDirectory: String?

    @Option(
        name: .customLong("rotate-keep-unwritten"),
        help:
            "With --rotate: intervals kept in memory while their results cannot be written (disk full, directory gone), retried at each rotation; beyond it the oldest is dropped and counted in the next result's capture.droppedIntervals."
    )
    var rotateKeepUnwritten: Int = 4

    @OptionGroup(title: "Live metrics") var metrics: MetricsOptions

    func validate() throws {
        if files.isEmpty && interface == nil {
            throw ValidationError("give capture files or -i IFACE")
        }
        if !files.isEmpty && interface != nil {
            throw ValidationError("give capture files or -i IFACE, not both")
        }
        if window <= 0 { throw ValidationError("--window must be positive") }
        if interface == nil, metrics.metricsListen != nil { throw ValidationError("--metrics-listen needs a live capture (-i IFACE)") }
        if let rotate {
            guard interface != nil else { throw ValidationError("--rotate needs a live capture (-i IFACE)") }
            guard rotationSeconds != nil else {
                throw ValidationError("--rotate \(rotate): expected a duration of at least 1s, such as 30s, 15m or 1h")
            }
            if output.paths.json != nil || output.paths.html != nil {
                throw ValidationError("--rotate writes one result per interval into --output-dir; --json and --html name one file")
            }
            if emitProfile != nil { throw ValidationError("--emit-profile needs one result: give it to a run without --rotate") }
        } else if outputDirectory != nil {
            throw ValidationError("--output-dir is where --rotate writes its intervals; give --json PATH for one result")
        }
        if rotateKeepUnwritten < 1 { throw ValidationError("--rotate-keep-unwritten must be at least 1") }
    }

    /// `--rotate` in seconds; nil without it or when it is not a duration of at least a second.
    var rotationSeconds: Double? {
        guard let rotate, let seconds = ProfileOverrides.seconds(rotate), seconds >= 1, seconds.isFinite else { return nil }
        return seconds
    }

    func run() async throws {
        var captureOptions = CaptureOptions()
        captureOptions.filter = filter
        captureOptions.durationSeconds = duration
        captureOptions.packetLimit = packetLimit
        buffer.apply(to: &captureOptions)
        var decoderConfiguration = DecoderConfiguration()
        decoderConfiguration.detectByContent = !noDetect
        for option in ports { try decoderConfiguration.addPortOption(option) }
        var analysisConfiguration = output.analysis
        analysisConfiguration.rankBy = rankBy
        analysisConfiguration.windowSeconds = window
        decoderConfiguration.httpKey = httpKey
        decoderConfiguration.amqpKey = amqpKey

        // Before the capture opens: a metrics port in use ends the command before it measures.
        let metricsServer = try metrics.start(command: "analyze")
        let session: CaptureSession
        let source: ResultDocument.Source
        if let interface {
            session = try CaptureSession(liveInterface: interface, options: captureOptions)
            source = ResultDocument.Source(kind: .live, inputs: [interface])
        } else {
            session = try CaptureSession(files: files, options: captureOptions)
            source = ResultDocument.Source(kind: .capture, inputs: files)
        }
        // Reading and parsing on this thread, analysis split by key over one thread per core; a
        // live capture's analysis can be looked at mid-run and cut into intervals.
        let pipe = RotatingAnalysis(
            configuration: analysisConfiguration,
            shards: ProcessInfo.processInfo.activeProcessorCount)
        let decoder = TrafficDecoder(configuration: decoderConfiguration, sink: pipe)
        let command = self
        let agent = LiveAgent(
            command: self, session: session, decoder: decoder, pipe: pipe, source: source, metricsServer: metricsServer,
            writer: rotationSeconds.map { _ in
                IntervalWriter(
                    directory: outputDirectory ?? "reports/live-\(interface ?? "capture")", name: output.name ?? "hotshard",
                    keepUnwritten: rotateKeepUnwritten, quiet: output.quiet,
                    makeDocument: { snapshot, capture, parserHealth in
                        command.document(snapshot, capture: capture, source: source, protocolHealth: parserHealth, model: false)
                    })
            })

        let interrupt = InterruptHandler { session.stop() }
        let progress = ProgressLine(enabled: !output.quiet) { session.progress }
        defer {
            progress.stop()
            interrupt.cancel()
        }
        do {
            try session.run(into: decoder, tick: interface == nil ? nil : { agent.tick() })
        } catch {
            _ = pipe.finish()
            metricsServer?.stop()
            throw error
        }
        decoder.finish(timestampNanos: 0)
        progress.stop()

        let problems = session.problems.map(\.description)
        var stderr = StandardError()
        if let writer = agent.writer {
            agent.endInterval(pipe.end(), at: Date())
            let outcome = writer.finish()
            metrics.publishFinal(metricsServer, with: agent.metricsSnapshot(current: nil))
            defer { metrics.close(metricsServer) }
            for problem in problems { print("hotshard analyze: \(problem)", to: &stderr) }
            if !output.quiet { print("\(outcome.written) interval results in \(writer.directory)") }
            if interrupt.fired { print("hotshard analyze: interrupted; the last interval covers what was read", to: &stderr) }
            if outcome.unwritten > 0 {
                print(
                    "hotshard analyze: \(outcome.unwritten) interval results could not be written to \(writer.directory) (see above)",
                    to: &stderr)
                throw ExitStatus.failure.exitCode
            }
            return
        }
        let snapshot = pipe.finish()
        metrics.publishFinal(metricsServer, with: agent.metricsSnapshot(current: snapshot))
        defer { metrics.close(metricsServer) }
        let document = self.document(
            snapshot, capture: session.health, source: source, protocolHealth: decoder.health, problems: problems)
        let (jsonPath, htmlPath) = try output.write(document, defaultName: defaultName())
        if let emitProfile {
            var listed = ResultDocument(
                analysis: snapshot, capture: session.health, source: source,
                topKeys: ProfileEmitter.listedKeys)
            if let redactor = redaction.redactor { listed = redactor.redact(listed) }
            let url = URL(fileURLWithPath: emitProfile)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(ProfileEmitter.yaml(listed).utf8).write(to: url, options: .atomic)
        }
        if !output.quiet {
            print(TerminalSummary.render(document, top: output.top, includeHealth: stats), terminator: "")
            print("\nresult     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        } else if stats {
            print(TerminalSummary.render(document, top: 0, includeHealth: true), terminator: "")
        }
        for problem in problems { print("hotshard analyze: \(problem)", to: &stderr) }
        if interrupt.fired { print("hotshard analyze: interrupted; the result covers what was read", to: &stderr) }
        if Self.inputWasDamaged(document) {
            throw ExitStatus.damagedInput.exitCode
        }
    }

    /// A result of the analysis of the whole run, or of one interval (`--rotate`): hot keys and
    /// redaction, and the model unless `model` is false. An interval's result has no model: an
    /// agent on a production host should not plan clusters every interval, and `merge` models the
    /// merged intervals anyway.
    func document(
        _ snapshot: AnalysisSnapshot, capture: CaptureHealth, source: ResultDocument.Source,
        protocolHealth: ParserHealth? = nil, problems: [String] = [], model: Bool = true
    ) -> ResultDocument {
        var document = ResultDocument(
            analysis: snapshot, capture: capture, source: source,
            topKeys: output.keptKeys, protocolHealth: protocolHealth,
            inputProblems: problems)
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        if model { output.model.attach(to: &document) }
        if let redactor = redaction.redactor { document = redactor.redact(document) }
        return document
    }

    static func inputWasDamaged(_ document: ResultDocument) -> Bool {
        let capture = document.capture
        let parser = document.protocolHealth
        return !(document.inputProblems ?? []).isEmpty || capture.malformed > 0 || capture.truncated > 0
            || (parser?.parseErrors ?? 0) > 0
    }

    /// `reports/NAME.json` → `reports/NAME.html`: the report goes where the result goes.

    private func defaultName() -> String {
        if let interface { return "live-\(interface)" }
        guard let first = files.first else { return "analyze" }
        var base = URL(fileURLWithPath: first).lastPathComponent
        for suffix in [".gz", ".pcapng", ".pcap", ".cap"] where base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
        }
        return base.isEmpty ? "analyze" : base
    }
}
