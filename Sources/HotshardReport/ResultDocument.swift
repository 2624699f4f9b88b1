import HotshardAnalysis
import HotshardCapture
import HotshardModel
import HotshardProtocols

/// The versioned result of a run: what `analyze`, `load` and `replay` write and what `report`,
/// `plan` and `merge` read. Names are the contract in ../shared/design.md: add fields freely,
/// rename none without bumping `schemaVersion`.
public struct ResultDocument: Codable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int = ResultDocument.currentSchemaVersion
    public var tool: Tool
    public var source: Source
    public var capture: CaptureHealth
    public var totals: Totals
    public var tracking: Tracking
    public var hotKeys: [HotKeyEntry]
    public var latency: Latency
    public var windows: Windows
    public var model: ModelSection?
    /// Keys grouped by prefix (`user:*`), hottest first.
    public var prefixGroups: [PrefixGroup]?
    /// Keys that turned hot during the run.
    public var emerging: [EmergingKey]?
    public var popularity: Popularity?
    /// Service latency per command, in µs.
    public var latencyByCommand: [String: LatencySummary]?
    /// What the protocol parsers could not use.
    public var protocolHealth: ParserHealth?
    /// Problems met while reading the input (truncated files, damaged compression); the
    /// result covers what came before each.
    public var inputProblems: [String]?
    /// The analysis summary state: what `hotshard merge` combines.
    public var summaryState: AnalysisSnapshot?
    /// Present when keys were replaced by a keyed hash (`--redact`).
    public var redaction: Redaction?
    /// Load and replay runs: how the load was made and what it achieved (nil for captures).
    public var load: LoadSection?
    /// Replay runs: what was replayed, what was skipped, and the capture's latency beside the replay's.
    public var replay: ReplaySection?
    /// Each server's load as the traffic showed it, busiest first: today's layout (absent in results
    /// written before servers were tallied).
    public var servers: [ServerEntry]?

    public init(
        tool: Tool = Tool(), source: Source, capture: CaptureHealth, totals: Totals,
        tracking: Tracking, hotKeys: [HotKeyEntry], latency: Latency, windows: Windows,
        model: ModelSection? = nil
    ) {
        self.tool = tool
        self.source = source
        self.capture = capture
        self.totals = totals
        self.tracking = tracking
        self.hotKeys = hotKeys
        self.latency = latency
        self.windows = windows
        self.model = model
    }

    public struct Tool: Codable, Sendable {
        public var name: String = "hotshard"
        public var version: String = HotshardVersion.current
        public init() {}
    }

    public struct Source: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case capture, live, load, replay }
        public var kind: Kind
        public var inputs: [String]
        public init(kind: Kind, inputs: [String]) {
            self.kind = kind
            self.inputs = inputs
        }
    }

    public struct Totals: Codable, Sendable {
        public var requests: Int
        public var replies: Int
        public var keyReferences: Int
        public var errors: Int
        public var durationSeconds: Double
        public var byProtocol: [String: Int]
        public var byCommand: [String: Int]
        public var byStatus: [String: Int]
        public init(
            requests: Int = 0, replies: Int = 0, keyReferences: Int = 0, errors: Int = 0,
            durationSeconds: Double = 0, byProtocol: [String: Int] = [:],
            byCommand: [String: Int] = [:], byStatus: [String: Int] = [:]
        ) {
            self.requests = requests
            self.replies = replies
            self.keyReferences = keyReferences
            self.errors = errors
            self.durationSeconds = durationSeconds
            self.byProtocol = byProtocol
            self.byCommand = byCommand
            self.byStatus = byStatus
        }
    }

    public struct Tracking: Codable, Sendable {
        public var capacity: Int
        public var exact: Bool
        public var distinctKeys: Int
        public var distinctKeysEstimated: Bool
        public init(capacity: Int, exact: Bool, distinctKeys: Int, distinctKeysEstimated: Bool) {
            self.capacity = capacity
            self.exact = exact
            self.distinctKeys = distinctKeys
            self.distinctKeysEstimated = distinctKeysEstimated
        }
    }

    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
    }

    /// One ranked hot key. The key is flattened into the entry as `key` (UTF-8) or `keyBase64`.
    public struct HotKeyEntry: Codable, Sendable {
        public var key: Key
        public var wireProtocol: String
        public var count: Int
        public var errorBound: Int
        public var guaranteed: Bool
        public var reads: Int
        public var writes: Int
        public var requestBytes: Int
        public var replyBytes: Int
        public var maxReplyBytes: Int
        public var hits: Int
        public var misses: Int
        public var errors: Int
        public var ratePerSecond: Double
        public var peakRatePerSecond: Double
        public var share: Double
        public var latencyMicros: Percentiles?
        public var clients: Int
        /// The busiest client's share of this key's requests.
        public var topClientShare: Double?
        public var hotSince: Double?
        public var coolSince: Double?
        /// The server the key's first request went to, as the traffic showed it (absent when the
        /// result has no per-server figures); `offServerRequests` went elsewhere, the last of them
        /// to `otherServer`. A key on more than one server is not where one scheme puts it.
        public var server: String?
        public var offServerRequests: Int?
        public var otherServer: String?

        private enum CodingKeys: String, CodingKey {
            case wireProtocol = "protocol"
            case count, errorBound, guaranteed, reads, writes, requestBytes, replyBytes, maxReplyBytes
            case hits, misses, errors, ratePerSecond, peakRatePerSecond, share, latencyMicros, clients
            case topClientShare, hotSince, coolSince, server, offServerRequests, otherServer
        }

        public init(
            key: Key, wireProtocol: String, count: Int, errorBound: Int, guaranteed: Bool,
            reads: Int, writes: Int, requestBytes: Int, replyBytes: Int, maxReplyBytes: Int,
            hits: Int, misses: Int, errors: Int, ratePerSecond: Double, peakRatePerSecond: Double,
            share: Double, latencyMicros: Percentiles?, clients: Int, topClientShare: Double?,
            hotSince: Double?, coolSince: Double?
        ) {
            self.key = key
            self.wireProtocol = wireProtocol
            self.count = count
            self.errorBound = errorBound
            self.guaranteed = guaranteed
            self.reads = reads
            self.writes = writes
            self.requestBytes = requestBytes
            self.replyBytes = replyBytes
            self.maxReplyBytes = maxReplyBytes
            self.hits = hits
            self.misses = misses
            self.errors = errors
            self.ratePerSecond = ratePerSecond
            self.peakRatePerSecond = peakRatePerSecond
            self.share = share
            self.latencyMicros = latencyMicros
            self.clients = clients
            self.topClientShare = topClientShare
            self.hotSince = hotSince
            self.coolSince = coolSince
        }

        public init(from decoder: any Decoder) throws {
            key = try Key(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            wireProtocol = try c.decode(String.self, forKey: .wireProtocol)
            count = try c.decode(Int.self, forKey: .count)
            errorBound = try c.decode(Int.self, forKey: .errorBound)
            guaranteed = try c.decode(Bool.self, forKey: .guaranteed)
            reads = try c.decode(Int.self, forKey: .reads)
            writes = try c.decode(Int.self, forKey: .writes)
            requestBytes = try c.decode(Int.self, forKey: .requestBytes)
            replyBytes = try c.decode(Int.self, forKey: .replyBytes)
            maxReplyBytes = try c.decode(Int.self, forKey: .maxReplyBytes)
            hits = try c.decode(Int.self, forKey: .hits)
            misses = try c.decode(Int.self, forKey: .misses)
            errors = try c.decode(Int.self, forKey: .errors)
            ratePerSecond = try c.decode(Double.self, forKey: .ratePerSecond)
            peakRatePerSecond = try c.decode(Double.self, forKey: .peakRatePerSecond)
            share = try c.decode(Double.self, forKey: .share)
            latencyMicros = try c.decodeIfPresent(Percentiles.self, forKey: .latencyMicros)
            clients = try c.decode(Int.self, forKey: .clients)
            topClientShare = try c.decodeIfPresent(Double.self, forKey: .topClientShare)
            hotSince = try c.decodeIfPresent(Double.self, forKey: .hotSince)
            coolSince = try c.decodeIfPresent(Double.self, forKey: .coolSince)
            server = try c.decodeIfPresent(String.self, forKey: .server)
            offServerRequests = try c.decodeIfPresent(Int.self, forKey: .offServerRequests)
            otherServer = try c.decodeIfPresent(String.self, forKey: .otherServer)
        }

        public func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(wireProtocol, forKey: .wireProtocol)
            try c.encode(count, forKey: .count)
            try c.encode(errorBound, forKey: .errorBound)
            try c.encode(guaranteed, forKey: .guaranteed)
            try c.encode(reads, forKey: .reads)
            try c.encode(writes, forKey: .writes)
            try c.encode(requestBytes, forKey: .requestBytes)
            try c.encode(replyBytes, forKey: .replyBytes)
            try c.encode(maxReplyBytes, forKey: .maxReplyBytes)
            try c.encode(hits, forKey: .hits)
            try c.encode(misses, forKey: .misses)
            try c.encode(errors, forKey: .errors)
            try c.encode(ratePerSecond, forKey: .ratePerSecond)
            try c.encode(peakRatePerSecond, forKey: .peakRatePerSecond)
            try c.encode(share, forKey: .share)
            try c.encode(latencyMicros, forKey: .latencyMicros)
            try c.encode(clients, forKey: .clients)
            try c.encode(topClientShare, forKey: .topClientShare)
            try c.encode(hotSince, forKey: .hotSince)
            try c.encode(coolSince, forKey: .coolSince)
            try c.encodeIfPresent(server, forKey: .server)
            try c.encodeIfPresent(offServerRequests, forKey: .offServerRequests)
            try c.encodeIfPresent(otherServer, forKey: .otherServer)
        }
    }

    /// One server's load over the run and in the window the model was sized on.
    public struct ServerEntry: Codable, Sendable, Equatable {
        public var server: String
        public var requests: Int
        public var keyReferences: Int
        public var requestBytes: Int
        public var replyBytes: Int
        public var errors: Int
        /// p50, p99 and max in µs; nil when no reply was paired.
        public var latencyMicros: ServerLatency?
        /// Hot keys whose first request went here.
        public var hotKeys: Int
        public init(
            server: String, requests: Int, keyReferences: Int, requestBytes: Int, replyBytes: Int, errors: Int,
            latencyMicros: ServerLatency?, hotKeys: Int
        ) {
            self.server = server
            self.requests = requests
            self.keyReferences = keyReferences
            self.requestBytes = requestBytes
            self.replyBytes = replyBytes
            self.errors = errors
            self.latencyMicros = latencyMicros
            self.hotKeys = hotKeys
        }
    }

    public struct ServerLatency: Codable, Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var max: Double
        public init(p50: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p99 = p99
            self.max = max
        }
    }

    public struct LatencySummary: Codable, Sendable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
        public var count: Int
        public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, count: Int) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.count = count
        }
    }

    /// Whole-run latency in µs. `corrected` is measured from the intended send time (load, replay).
    public struct Latency: Codable, Sendable {
        public var service: LatencySummary?
        public var corrected: LatencySummary?
        public init(service: LatencySummary?, corrected: LatencySummary? = nil) {
            self.service = service
            self.corrected = corrected
        }
    }

    public struct WindowKeyCount: Codable, Sendable {
        public var key: Key
        public var count: Int
        private enum CodingKeys: String, CodingKey { case count }
        public init(key: Key, count: Int) {
            self.key = key
            self.count = count
        }
        public init(from decoder: any Decoder) throws {
            key = try Key(from: decoder)
            count = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .count)
        }
        public func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
        }
    }

    public struct Window: Codable, Sendable {
        /// Seconds from the start of the run.
        public var start: Double
        public var requests: Int
        public var top: [WindowKeyCount]
        /// The window's service latency in µs (p50, p90, p99 within 1% above the true value, as
        /// `LogHistogram` buckets; max exact); absent where no reply was paired and in documents
        /// written before windows had latency.
        public var latencyMicros: Percentiles?
        public init(start: Double, requests: Int, top: [WindowKeyCount], latencyMicros: Percentiles? = nil) {
            self.start = start
            self.requests = requests
            self.top = top
            self.latencyMicros = latencyMicros
        }
    }

    public struct Windows: Codable, Sendable {
        public var seconds: Double
        public var series: [Window]
        public init(seconds: Double, series: [Window]) {
            self.seconds = seconds
            self.series = series
        }
    }

    public struct NodeLoad: Codable, Sendable {
        public var node: String
        public var rate: Double
        public var utilisation: Double
        /// Nil when the node is saturated (utilisation ≥ 1): the queue is unbounded.
        public var p99Micros: Double?
        public init(node: String, rate: Double, utilisation: Double, p99Micros: Double?) {
            self.node = node
            self.rate = rate
            self.utilisation = utilisation
            self.p99Micros = p99Micros
        }
    }

    public struct SchemeLoad: Codable, Sendable {
        public var scheme: String
        public var nodes: Int
        public var maxOverMean: Double
        public var perNode: [NodeLoad]
        /// The same scheme at today's node count (`plan --current-nodes`); absent when none was given.
        public var current: Layout?
        public init(scheme: String, nodes: Int, maxOverMean: Double, perNode: [NodeLoad], current: Layout? = nil) {
            self.scheme = scheme
            self.nodes = nodes
            self.maxOverMean = maxOverMean
            self.perNode = perNode
            self.current = current
        }

        /// The recommended layout (the scheme's own node count and load).
        public var layout: Layout { Layout(nodes: nodes, maxOverMean: maxOverMean, perNode: perNode) }
    }

    /// Per-node load of one scheme at one node count.
    public struct Layout: Codable, Sendable {
        public var nodes: Int
        public var maxOverMean: Double
        public var perNode: [NodeLoad]
        public init(nodes: Int, maxOverMean: Double, perNode: [NodeLoad]) {
            self.nodes = nodes
            self.maxOverMean = maxOverMean
            self.perNode = perNode
        }
    }

    public struct Recommendation: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case nodes, split, replicate, cache, scheme }
        public var kind: Kind
        public var key: Key?
        public var factor: Double?
        public var detail: String
        private enum CodingKeys: String, CodingKey { case kind, factor, detail }
        public init(kind: Kind, key: Key? = nil, factor: Double? = nil, detail: String) {
            self.kind = kind
            self.key = key
            self.factor = factor
            self.detail = detail
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(Kind.self, forKey: .kind)
            factor = try c.decodeIfPresent(Double.self, forKey: .factor)
            detail = try c.decode(String.self, forKey: .detail)
            key = try? Key(from: decoder)
        }
        public func encode(to encoder: any Encoder) throws {
            if let key { try key.encode(to: encoder) }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encodeIfPresent(factor, forKey: .factor)
            try c.encode(detail, forKey: .detail)
        }
    }

    public struct PrefixGroup: Codable, Sendable {
        public var prefix: Key
        public var count: Int
        public var errorBound: Int
        public var share: Double
        private enum CodingKeys: String, CodingKey { case count, errorBound, share }
        public init(prefix: Key, count: Int, errorBound: Int, share: Double) {
            self.prefix = prefix
            self.count = count
            self.errorBound = errorBound
            self.share = share
        }
        public init(from decoder: any Decoder) throws {
            prefix = try Key(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            count = try c.decode(Int.self, forKey: .count)
            errorBound = try c.decode(Int.self, forKey: .errorBound)
            share = try c.decode(Double.self, forKey: .share)
        }
        public func encode(to encoder: any Encoder) throws {
            try prefix.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
            try c.encode(errorBound, forKey: .errorBound)
            try c.encode(share, forKey: .share)
        }
    }

    public struct ModelSection: Codable, Sendable {
        /// Requests per second one node serves at 100% utilisation, as given; nil when none was
        /// (then every utilisation is relative to `neededCapacityPerNode`).
        public var capacityPerNode: Double?
        /// Without a given capacity: the smallest node capacity at which the most even scheme meets
        /// the target utilisation at the evaluated node count (and every key fits one node).
        public var neededCapacityPerNode: Double?
        public var targetUtilisation: Double
        /// The window the rates were taken from.
        public var sizedOn: SizingWindow?
        public var schemes: [SchemeLoad]
        public var recommendations: [Recommendation]
        /// Today's layout as the user gave it (`--current-nodes`, `--current-scheme`); each
        /// scheme's `current` holds its load there.
        public var currentNodes: Int?
        public var currentScheme: String?
        /// Keys that alone carry more than a node's fair share (the total ÷ the node count).
        public var keysOverFairShare: [FairShareKey]?
        /// The busiest node's utilisation in every window, today and as recommended.
        public var hottestNodeOverTime: HottestNodeSeries?
        /// Today's layout as the traffic showed it (several servers seen), checked against today's scheme.
        public var observedLayout: ObservedLayout?

        /// The capacity every utilisation in the section is relative to.
        public var effectiveCapacity: Double { capacityPerNode ?? neededCapacityPerNode ?? 0 }

        public init(
            capacityPerNode: Double?, targetUtilisation: Double, schemes: [SchemeLoad],
            recommendations: [Recommendation], currentNodes: Int? = nil, currentScheme: String? = nil
        ) {
            self.capacityPerNode = capacityPerNode
            self.targetUtilisation = targetUtilisation
            self.schemes = schemes
            self.recommendations = recommendations
            self.currentNodes = currentNodes
            self.currentScheme = currentScheme
        }

        private enum CodingKeys: String, CodingKey {
            case capacityPerNode, neededCapacityPerNode, targetUtilisation, sizedOn, schemes, recommendations,
                currentNodes, currentScheme, keysOverFairShare, hottestNodeOverTime, observedLayout
        }

        /// `capacityPerNode` is written as null when none was given, as the contract says.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(capacityPerNode, forKey: .capacityPerNode)
            try c.encodeIfPresent(neededCapacityPerNode, forKey: .neededCapacityPerNode)
            try c.encode(targetUtilisation, forKey: .targetUtilisation)
            try c.encodeIfPresent(sizedOn, forKey: .sizedOn)
            try c.encode(schemes, forKey: .schemes)
            try c.encode(recommendations, forKey: .recommendations)
            try c.encodeIfPresent(currentNodes, forKey: .currentNodes)
            try c.encodeIfPresent(currentScheme, forKey: .currentScheme)
            try c.encodeIfPresent(keysOverFairShare, forKey: .keysOverFairShare)
            try c.encodeIfPresent(hottestNodeOverTime, forKey: .hottestNodeOverTime)
            try c.encodeIfPresent(observedLayout, forKey: .observedLayout)
        }
    }

    /// A key that alone carries more than one node's fair share of the traffic.
    public struct FairShareKey: Codable, Sendable {
        public var key: Key
        /// The key's rate at the sizing window (or its own peak, when higher).
        public var rate: Double
        /// The rate as a multiple of the fair share (total ÷ nodes).
        public var timesFairShare: Double
        private enum CodingKeys: String, CodingKey { case rate, timesFairShare }
        public init(key: Key, rate: Double, timesFairShare: Double) {
            self.key = key
            self.rate = rate
            self.timesFairShare = timesFairShare
        }
        public init(from decoder: any Decoder) throws {
            key = try Key(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rate = try c.decode(Double.self, forKey: .rate)
            timesFairShare = try c.decode(Double.self, forKey: .timesFairShare)
        }
        public func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rate, forKey: .rate)
            try c.encode(timesFairShare, forKey: .timesFairShare)
        }
    }

    /// The busiest node's utilisation window by window under two layouts.
    public struct HottestNodeSeries: Codable, Sendable {
        public struct Layout: Codable, Sendable {
            public var scheme: String
            public var nodes: Int
            public init(scheme: String, nodes: Int) {
                self.scheme = scheme
                self.nodes = nodes
            }
        }
        public struct Point: Codable, Sendable {
            /// Seconds from the start of the run.
            public var start: Double
            public var today: Double?
            public var recommended: Double?
            public init(start: Double, today: Double?, recommended: Double?) {
                self.start = start
                self.today = today
                self.recommended = recommended
            }
        }
        /// Today's layout, when the run was told it (`--current-nodes`, `--current-scheme`).
        public var today: Layout?
        public var recommended: Layout?
        public var points: [Point]
        public init(today: Layout?, recommended: Layout?, points: [Point]) {
            self.today = today
            self.recommended = recommended
            self.points = points
        }
    }
}
