import ArgumentParser
import Foundation
import HotshardAnalysis
import HotshardCapture
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

    @Option(help: "Seconds between refreshes.")
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
        let analyzer = HotKeyAnalyzer(configuration: analysisConfiguration)
        let pipeline = LockedPipeline(TrafficDecoder(configuration: decoderConfiguration, sink: analyzer), analyzer)
        let source = ResultDocument.Source(kind: .live, inputs: [interface])
        let captureDone = DispatchSemaphore(value: 0)
        let failure = LockedBox<(any Error)?>(nil)
        let thread = Thread {
            do { try session.run(into: pipeline) } catch { failure.value = error }
            captureDone.signal()
        }
        thread.start()

        let interrupt = InterruptHandler { session.stop() }
        let terminal = RawTerminal()
        var screen = TopScreen(interface: interface, rows: rows)
        let start = Date()
        var lastFrame = start
        var frame = ""
        func draw() {
            let now = Date()
            let document = pipeline.document(capture: session.health, source: source, topKeys: max(rows, 100))
            frame = screen.render(
                document, elapsed: now.timeIntervalSince(start),
                interval: now.timeIntervalSince(lastFrame), drops: session.health.kernelDrops)
            lastFrame = now
            print(frame, terminator: "")
            fflush(nil)  // nil: every stream; naming stdout trips strict concurrency
            metricsServer?.publish(metricsSnapshot())
        }
        func metricsSnapshot() -> MetricsSnapshot {
            var snapshot = MetricsSnapshot(command: "top")
            snapshot.add(analysis: pipeline.analysis(), top: metrics.metricsTop)
            snapshot.capture = session.health
            snapshot.elapsedSeconds = Date().timeIntervalSince(start)
            return snapshot
        }
        draw()
        while captureDone.wait(timeout: .now()) == .timedOut {
            let wait = interval - Date().timeIntervalSince(lastFrame)
            if let key = terminal.key(waitingUpTo: max(0, wait)) {
                if key == UInt8(ascii: "q") { session.stop(); break }
                if let ranking = TopScreen.Ranking(key: key) { screen.ranking = ranking; draw() }
            }
            if Date().timeIntervalSince(lastFrame) >= interval { draw() }
        }
        _ = captureDone.wait(timeout: .now() + 10)
        interrupt.cancel()
        terminal.restore()
        if let error = failure.value { throw error }

        var document = pipeline.finish(
            capture: session.health, source: source, topKeys: max(rows, 100),
            problems: session.problems.map(\.description))
        metrics.publishFinal(metricsServer, with: metricsSnapshot())
        defer { metrics.close(metricsServer) }
        model.attach(to: &document)
        let (jsonPath, htmlPath) = try paths.write(document, defaultJSON: "reports/top-\(interface).json")
        print("\nresult     \(jsonPath)")
        if let htmlPath { print("report     \(htmlPath)") }
    }
}

/// The decoder and analyzer behind one lock: the capture thread feeds them while the screen
/// takes snapshots.
final class LockedPipeline: StreamSink, @unchecked Sendable {
    private let lock = NSLock()
    private let decoder: TrafficDecoder
    private let analyzer: HotKeyAnalyzer

    init(_ decoder: TrafficDecoder, _ analyzer: HotKeyAnalyzer) {
        self.decoder = decoder
        self.analyzer = analyzer
    }

    func streamData(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: UnsafeRawBufferPointer) {
        lock.withLock { decoder.streamData(flow, direction, timestampNanos: timestampNanos, bytes: bytes) }
    }

    func streamGap(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        lock.withLock { decoder.streamGap(flow, direction, timestampNanos: timestampNanos, length: length) }
    }

    func streamClosed(_ flow: FlowID, timestampNanos: Int64, reason: StreamCloseReason) {
        lock.withLock { decoder.streamClosed(flow, timestampNanos: timestampNanos, reason: reason) }
    }

    func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: UnsafeRawBufferPointer) {
        lock.withLock { decoder.datagram(flow, direction, timestampNanos: timestampNanos, bytes: bytes) }
    }

    func document(capture: CaptureHealth, source: ResultDocument.Source, topKeys: Int) -> ResultDocument {
        lock.withLock {
            ResultDocument(
                analysis: analyzer.snapshot(), capture: capture, source: source, topKeys: topKeys,
                protocolHealth: decoder.health)
        }
    }

    /// The analysis so far (the metrics endpoint's counters and hot keys).
    func analysis() -> AnalysisSnapshot {
        lock.withLock { analyzer.snapshot() }
    }

    /// Closes every open conversation (unanswered requests count as such) and gives the result.
    func finish(capture: CaptureHealth, source: ResultDocument.Source, topKeys: Int, problems: [String]) -> ResultDocument {
        lock.withLock {
            decoder.finish(timestampNanos: 0)
            return ResultDocument(
                analysis: analyzer.snapshot(), capture: capture, source: source, topKeys: topKeys,
                protocolHealth: decoder.health, inputProblems: problems)
        }
    }
}

/// A value shared between threads behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
