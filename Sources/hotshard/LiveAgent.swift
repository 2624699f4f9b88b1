import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardReport

/// What `analyze -i` does between packets, on the capture thread's ticks (`CaptureSession.run`'s
/// `tick`): publishes the live metrics once a second and, as a capture agent (`--rotate`), ends
/// the interval at each boundary of the clock and hands its result to the `IntervalWriter`. On the
/// capture thread, so the analysis needs no lock; a tick costs nothing when neither is asked for.
final class LiveAgent {
    let command: AnalyzeCommand
    let session: CaptureSession
    let decoder: TrafficDecoder
    let pipe: RotatingAnalysis
    let source: ResultDocument.Source
    let metricsServer: MetricsServer?
    let writer: IntervalWriter?
    private let rotationNanos: Int64?
    private let began = Date()
    /// The counters of the intervals already ended (metrics stay cumulative across rotations),
    /// added at each rotation, so that no scrape sees a counter go back.
    private var carried = MetricsSnapshot(command: "analyze")
    /// The capture counters at the start of the current interval.
    private var healthAtStart = CaptureHealth()
    /// The parsers' counters at the start of the current interval.
    private var parserHealthAtStart = ParserHealth()
    private var intervalStart: Date
    private var lastMetrics = Date.distantPast

    init(
        command: AnalyzeCommand, session: CaptureSession, decoder: TrafficDecoder, pipe: RotatingAnalysis, source: ResultDocument.Source,
        metricsServer: MetricsServer?, writer: IntervalWriter?
    ) {
        self.command = command
        self.session = session
        self.decoder = decoder
        self.pipe = pipe
        self.source = source
        self.metricsServer = metricsServer
        self.writer = writer
        rotationNanos = writer == nil ? nil : command.rotationSeconds.map { Int64($0 * 1e9) }
        intervalStart = Self.aligned(Date(), rotationNanos)
    }

    /// The start of the interval holding `date`: intervals are aligned on the clock (multiples of
    /// their length since the Unix epoch), so that agents on several hosts cut the same intervals.
    static func aligned(_ date: Date, _ lengthNanos: Int64?) -> Date {
        guard let lengthNanos, lengthNanos > 0 else { return date }
        let nanos = Int64(date.timeIntervalSince1970 * 1e9)
        return Date(timeIntervalSince1970: Double(nanos - nanos % lengthNanos) / 1e9)
    }

    func tick() {
        let now = Date()
        if let rotationNanos, now >= intervalStart.addingTimeInterval(Double(rotationNanos) / 1e9) {
            endInterval(pipe.rotate(), at: now)
        }
        if metricsServer != nil, now.timeIntervalSince(lastMetrics) >= 1 {
            lastMetrics = now
            metricsServer?.publish(metricsSnapshot(current: pipe.snapshotInFlight(keyLimit: command.metrics.metricsTop)))
        }
    }

    /// Ends the current interval: its counters join `carried` (with live metrics), its analysis
    /// and capture counters go to the writer (which takes the full snapshot and makes the result),
    /// and the next interval starts at the boundary that holds `date`.
    func endInterval(_ ended: EndedAnalysis, at date: Date) {
        if metricsServer != nil {
            carried.add(analysis: ended.snapshot(keyLimit: command.metrics.metricsTop), top: command.metrics.metricsTop)
        }
        let health = session.health
        let parserHealth = decoder.health
        writer?.submit(
            start: intervalStart, ended: ended, capture: health.since(healthAtStart),
            parserHealth: parserHealth.since(parserHealthAtStart))
        healthAtStart = health
        parserHealthAtStart = parserHealth
        intervalStart = Self.aligned(date, rotationNanos)
    }

    /// The metrics now: the ended intervals' counters plus the current interval's (`current`; nil
    /// when every interval has ended), the capture's counters and the dropped intervals.
    func metricsSnapshot(current: AnalysisSnapshot?) -> MetricsSnapshot {
        var snapshot = carried
        if let current { snapshot.add(analysis: current, top: command.metrics.metricsTop) }
        snapshot.capture = session.health
        snapshot.elapsedSeconds = Date().timeIntervalSince(began)
        snapshot.droppedIntervals = writer.map { $0.droppedTotal.load(ordering: .relaxed) }
        return snapshot
    }
}
