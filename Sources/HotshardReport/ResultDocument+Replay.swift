import HotshardAnalysis
import HotshardCapture
import HotshardLoad
import HotshardProtocols

extension ResultDocument {
    /// How a replay was made, what it left out, and the latency the capture saw beside the
    /// latency now, per command and for the replay's hottest keys (µs; the capture's runs from the
    /// request's last byte to the reply's first as captured, the replay's from send to reply).
    public struct ReplaySection: Codable, Sendable {
        /// One command's or one key's latency as captured beside its latency in the replay.
        public struct Comparison: Codable, Sendable {
            /// The command (per-command rows), or the key as text (`keyBase64` when it is not UTF-8).
            public var command: String?
            /// The key as text when it is UTF-8 (key rows only).
            public var key: String?
            /// The key in base64 when it is not UTF-8 (key rows only).
            public var keyBase64: String?
            /// Its requests (command rows) or references (key rows) among the replayed requests, first pass.
            public var captureCount: Int
            /// The same in the replay, over every pass.
            public var replayCount: Int
            /// Service latency as captured, µs; absent when the capture paired no reply (or never saw the key).
            public var capture: Percentiles?
            /// Service latency in the replay, from send to reply, µs; absent when no reply came back.
            public var replay: Percentiles?
        }

        /// The capture files replayed.
        public var captures: [String]
        /// The timing in words: `original timing`, `speed ×2`, `rate 500/s` or `as fast as possible`.
        public var timing: String
        /// Passes made over the capture (`--loop`; with `--duration`, as many as fit; fewer when stopped).
        public var passes: Int
        /// Requests replayed per pass (after the skips).
        public var requestsPerPass: Int
        /// Capture time the replayed requests of one pass span, in seconds.
        public var captureSpanSeconds: Double
        /// Client connections the replayed requests came over in the capture.
        public var originalConnections: Int
        /// Connections the replay used (`--connections`; original connection i went to i mod N).
        public var replayConnections: Int
        /// Requests of the capture not replayed, by reason.
        public var skipped: [String: Int]
        /// One row per command seen in the capture or the replay, by name.
        public var byCommand: [Comparison]
        /// One row per top key of the replay, hottest first.
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
