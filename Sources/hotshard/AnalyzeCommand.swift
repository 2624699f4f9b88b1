import ArgumentParser
import Dispatch
import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardReport

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Hot keys from capture files or a live interface, then model and report.",
        discussion: ExitStatus.help([.success, .failure, .damagedInput])
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

    func validate() throws {
        if files.isEmpty && interface == nil {
            throw ValidationError("give capture files or -i IFACE")
        }
        if !files.isEmpty && interface != nil {
            throw ValidationError("give capture files or -i IFACE, not both")
        }
        if window <= 0 { throw ValidationError("--window must be positive") }
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

        let session: CaptureSession
        let source: ResultDocument.Source
        if let interface {
            session = try CaptureSession(liveInterface: interface, options: captureOptions)
            source = ResultDocument.Source(kind: .live, inputs: [interface])
        } else {
            session = try CaptureSession(files: files, options: captureOptions)
            source = ResultDocument.Source(kind: .capture, inputs: files)
        }
        // Reading and parsing on this thread, analysis split by key over one thread per core.
        let pipe = ShardedAnalysis(
            configuration: analysisConfiguration,
            shards: ProcessInfo.processInfo.activeProcessorCount)
        let decoder = TrafficDecoder(configuration: decoderConfiguration, sink: pipe)

        let interrupt = InterruptHandler { session.stop() }
        let progress = ProgressLine(enabled: !output.quiet) { session.progress }
        defer {
            progress.stop()
            interrupt.cancel()
        }
        do {
            try session.run(into: decoder)
        } catch {
            pipe.finish()
            throw error
        }
        decoder.finish(timestampNanos: 0)
        pipe.finish()
        progress.stop()

        let problems = session.problems.map(\.description)
        let snapshot = pipe.snapshot()
        var document = ResultDocument(
            analysis: snapshot, capture: session.health, source: source,
            topKeys: output.keptKeys, protocolHealth: decoder.health,
            inputProblems: problems)
        document.hotKeys = Array(document.hotKeys.prefix(output.keptKeys))
        output.model.attach(to: &document)
        if let redactor = redaction.redactor { document = redactor.redact(document) }
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
        var stderr = StandardError()
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
