import ArgumentParser
import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardConcurrency
import HotshardProtocols
import HotshardReport

/// `hotshard top -i IFACE`: a live view of the hottest keys, refreshed every interval, like
/// `top`. Keys r, b and l rank by requests, bytes or latency; q (or Ctrl-C) quits and writes the
/// result and its HTML report as `analyze` does.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live, refreshing terminal view of the hottest keys on an interface.",
        discussion: ExitStatus.help([.success, .failure, .badInput])
    )

    @Option(name: .shortAndLong, help: "Interface to capture from (needs root or CAP_NET_RAW).")
    var interface: String

    @Option(help: "BPF filter.")
    var filter: String?

    @Option(name: .customLong("port"), help: "PROTO=PORT: the protocol spoken on a server port (resp, memcached, http); repeatable.")
    var ports: [String] = []

    @Option(name: .customLong("http-key"), help: "What names an HTTP request's key (route collapses ID-like path segments).")
    var httpKey: HTTPKeyMode = .path

    @Option(help: "Seconds between refreshes (frames come from the capture thread, at most four a second).")
    var interval: Double = 1

    @Option(help: "Keys shown.")
    var rows: Int = 20

    @Option(help: "Keys tracked individually (Space-Saving capacity).")
    var capacity: Int?

    @Option(help: "Quit by itself after this many seconds.")
    var duration: Double?

    @OptionGroup var buffer: LiveBufferOption

    @OptionGroup(title: "Model") var model: ModelOptions

    @OptionGroup var paths: ResultPathOptions

    @OptionGroup(title: "Live metrics") var metrics: MetricsOptions

    func validate() throws {
        guard interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 seconds") }
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1") }
    }

    func run() throws {
        var options = CaptureOptions()
        options.filter = filter
        options.durationSeconds = duration
        buffer.apply(to: &options)
        var decoderConfiguration = DecoderConfiguration()
        for option in ports { try decoderConfiguration.addPortOption(option) }
        decoderConfiguration.httpKey = httpKey
        var analysisConfiguration = AnalysisConfiguration()
        if let capacity { analysisConfiguration.capacity = capacity }

        let metricsServer = try metrics.start(command: "top")
        let session = try CaptureSession(liveInterface: interface, options: options)
        let source = ResultDocument.Source(kind: .live, inputs: [interface])
        let frames = TopFrames()
        let analysisSettings = analysisConfiguration, decoderSettings = decoderConfiguration
        // The pipeline `analyze` runs: reading and decoding on the capture thread, analysis split
        // by key over one thread per core. Everything is made and fed on the capture thread; the
        // screen gets snapshots from its ticks.
        let capture = WorkerThread(name: "hotshard-capture") {
            let pipe = RotatingAnalysis(
                configuration: analysisSettings, shards: ProcessInfo.processInfo.activeProcessorCount)
            let decoder = TrafficDecoder(configuration: decoderSettings, sink: pipe)
            let result = Result<TopFrames.Frame, any Error> {
                try session.run(into: decoder) {
                    if frames.takeRequest() {
                        frames.post(TopFrames.Frame(analysis: pipe.snapshotInFlight(), protocolHealth: decoder.health))
                    }
                }
                // Unanswered requests are counted as such.
                decoder.finish(timestampNanos: 0)
                return TopFrames.Frame(analysis: pipe.finish(), protocolHealth: decoder.health)
            }
            if case .failure = result { _ = pipe.finish() }
            frames.finish(result)
        }

        let interrupt = InterruptHandler { session.stop() }
        let terminal = RawTerminal()
        var screen = TopScreen(interface: interface, rows: rows)
        let start = Date()
        var lastFrame = start
        var shown: ResultDocument?
        func draw(_ document: ResultDocument) {
            let now = Date()
            let frame = screen.render(
                document, elapsed: now.timeIntervalSince(start),
                interval: now.timeIntervalSince(lastFrame), drops: session.health.kernelDrops)
            lastFrame = now
            print(frame, terminator: "")
            fflush(nil)  // nil: every stream; naming stdout trips strict concurrency
        }
        func metricsSnapshot(_ analysis: AnalysisSnapshot) -> MetricsSnapshot {
            var snapshot = MetricsSnapshot(command: "top")
            snapshot.add(analysis: analysis, top: metrics.metricsTop)
            snapshot.capture = session.health
            snapshot.elapsedSeconds = Date().timeIntervalSince(start)
            return snapshot
        }
        while !capture.isFinished {
            if let key = terminal.key(waitingUpTo: 0.05) {
                if key == UInt8(ascii: "q") { session.stop() }
                if let ranking = TopScreen.Ranking(key: key), let document = shown {
                    screen.ranking = ranking
                    draw(document)
                }
            }
            if let frame = frames.takeFrame() {
                let document = ResultDocument(
                    analysis: frame.analysis, capture: session.health, source: source, topKeys: max(rows, 100),
                    protocolHealth: frame.protocolHealth)
                shown = document
                draw(document)
                metricsServer?.publish(metricsSnapshot(frame.analysis))
            }
            if Date().timeIntervalSince(lastFrame) >= interval { frames.request() }
        }
        capture.join()
        interrupt.cancel()
        terminal.restore()
        guard let finished = frames.finished else { throw ExitStatus.failure.exitCode }
        let last = try finished.get()

        var document = ResultDocument(
            analysis: last.analysis, capture: session.health, source: source, topKeys: max(rows, 100),
            protocolHealth: last.protocolHealth, inputProblems: session.problems.map(\.description))
        metrics.publishFinal(metricsServer, with: metricsSnapshot(last.analysis))
        defer { metrics.close(metricsServer) }
        model.attach(to: &document)
        let (jsonPath, htmlPath) = try paths.write(document, defaultJSON: "reports/top-\(interface).json")
        print("\nresult     \(jsonPath)")
        if let htmlPath { print("report     \(htmlPath)") }
    }
}
