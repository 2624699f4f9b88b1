import HotshardAnalysis
import HotshardCapture
import HotshardProtocols

/// What a replay did: the load run's measurements of the replayed requests (latency corrected
/// against the replay schedule, errors by kind, per-key analysis), the analysis of the same
/// requests as the capture saw them (for the latency comparison), and what was not replayed.
public struct ReplayRun: Sendable {
    public var load: LoadRun
    public var captureAnalysis: AnalysisSnapshot
    public var timing: ReplayOptions.Timing
    public var files: [String]
    /// Requests of the capture not replayed, by reason (first pass).
    public var skipped: [SkipReason: Int]
    /// Requests replayed per pass and the capture time they span.
    public var requestsPerPass: Int
    public var captureSpanSeconds: Double
    public var passes: Int
    public var originalConnections: Int
    public var capture: CaptureHealth
    /// Damaged parts of the capture files (what came before was used).
    public var problems: [String]
    public var parserHealth: ParserHealth
    /// What the replay held at most, each bounded by `ReplayOptions` whatever the capture's size:
    /// requests in the hand-over queue, requests in the reorder heap, captured request bytes.
    public var peakQueued = 0
    public var peakReordered = 0
    public var peakHeldBytes = 0

    /// `original`, `speed ×2`, `rate 500/s` or `max`.
    public var timingDescription: String {
        switch timing {
        case .original(let speed): speed == 1 ? "original timing" : "speed ×\(speed)"
        case .rate(let rate): "rate \(rate)/s"
        case .max: "as fast as possible"
        }
    }
}
