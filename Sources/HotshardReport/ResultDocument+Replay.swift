import HotshardAnalysis
import HotshardCapture
import HotshardLoad
import HotshardProtocols

extension ResultDocument {
    /// How a replay was made, what it left out, and the latency the capture saw beside the
    /// latency now, per command and for the replay's hottest keys (µs; the capture's runs from the
    /// request's last byte to the reply's first as captured, the replay's from send to reply).
    public struct ReplaySection: Codable, Sendable {
        public struct Comparison: Codable, Sendable {
            /// The command (per-command rows), or the key as text (`keyBase64` when it is not UTF-8).
            public var command: String?
            public var key: String?
            public var keyBase64: String?
            public var captureCount: Int
            public var replayCount: Int
            public var capture: Percentiles?
            public var replay: Percentiles?
        }

        public var captures: [String]
        public var timing: String
        public var passes: Int
        public var requestsPerPass: Int
        public var captureSpanSeconds: Double
        public var originalConnections: Int
        public var replayConnections: Int
        /// Requests of the capture not replayed, by reason.
        public var skipped: [String: Int]
        public var byCommand: [Comparison]
        public var hotKeys: [Comparison]
    }

    /// The result of a replay: the load sections of the replayed traffic (hot keys, corrected and
    /// service latency, errors by kind, thresholds) and the replay section.
    public init(replay run: ReplayRun, topKeys: Int, thresholds: [Threshold] = []) {
        self.init(load: run.load, profilePath: run.files.joined(separator: ","), topKeys: topKeys, thresholds: thresholds)
        source = Source(kind: .replay, inputs: run.files)
        capture = run.capture
        protocolHealth = run.parserHealth
        inputProblems = run.problems.isEmpty ? nil : run.problems
        let captured = run.captureAnalysis
        let now = run.load.analysis
        let captureByCommand = captured.latencyByCommand
        let replayByCommand = now.latencyByCommand
        let commands = Set(captured.totals.byCommand.keys).union(now.totals.byCommand.keys).sorted()
        let byCommand = commands.map { command in
            ReplaySection.Comparison(
                command: command, key: nil, keyBase64: nil, captureCount: captured.totals.byCommand[command] ?? 0,
                replayCount: now.totals.byCommand[command] ?? 0,
                capture: captureByCommand[command].map(Percentiles.init),
                replay: replayByCommand[command].map(Percentiles.init))
        }
        let captureKeys = Dictionary(
            captured.hotKeys(limit: captured.keys.count).map { ($0.key, $0) },
            uniquingKeysWith: { first, _ in first })
        let keys = now.hotKeys(limit: topKeys).map { hot in
            let before = captureKeys[hot.key]
            let text = String(validating: hot.key.bytes, as: UTF8.self)
            return ReplaySection.Comparison(
                command: nil, key: text, keyBase64: text == nil ? Base64.encode(hot.key.bytes) : nil,
                captureCount: before?.count ?? 0, replayCount: hot.count,
                capture: before?.latencyMicros.map { Percentiles(p50: $0.p50, p90: $0.p90, p99: $0.p99, max: $0.max) },
                replay: hot.latencyMicros.map { Percentiles(p50: $0.p50, p90: $0.p90, p99: $0.p99, max: $0.max) })
        }
        replay = ReplaySection(
            captures: run.files, timing: run.timingDescription, passes: run.passes, requestsPerPass: run.requestsPerPass,
            captureSpanSeconds: run.captureSpanSeconds, originalConnections: run.originalConnections,
            replayConnections: run.load.connections,
            skipped: Dictionary(run.skipped.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: +),
            byCommand: byCommand, hotKeys: keys)
    }
}

extension ResultDocument.Percentiles {
    init(_ summary: AnalysisSnapshot.LatencySummary) {
        self.init(p50: summary.p50, p90: summary.p90, p99: summary.p99, max: summary.max)
    }
}
