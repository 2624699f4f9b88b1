import HotshardAnalysis
import HotshardCapture
import HotshardModel
import HotshardProtocols

/// The versioned result of a run: what `analyze`, `load` and `replay` write and what `report`,
/// `plan` and `merge` read. Names are the contract in ../shared/design.md: add fields freely,
/// rename none without bumping `schemaVersion`.
public struct ResultDocument: Codable, Sendable {
    /// 2: the summary state is stored compactly (`CompactEncoded`). Version 1 documents are still read.
    public static let currentSchemaVersion = 2
    /// The versions this build reads.
    public static let readableSchemaVersions = 1...currentSchemaVersion

    /// The schema the document was written with; readers refuse versions outside `readableSchemaVersions`.
    public var schemaVersion: Int = ResultDocument.currentSchemaVersion
    /// The program that wrote the document.
    public var tool: Tool
    /// What was measured: captures, a live interface, a load profile or replayed captures.
    public var source: Source
    /// What the capture layer saw and could not use (all zero for load runs, which capture nothing).
    public var capture: CaptureHealth
    /// Whole-run counts of requests, replies and key references.
    public var totals: Totals
    /// How the keys were counted: whether `hotKeys` counts are exact or Space-Saving estimates.
    public var tracking: Tracking
    /// The top keys by the run's ranking (`--rank-by`, requests by default), hottest first.
    public var hotKeys: [HotKeyEntry]
    /// Whole-run latency in µs (service, and for load and replay also corrected).
    public var latency: Latency
    /// The run cut into fixed windows: requests, top keys and latency over time.
    public var windows: Windows
    /// The ring-and-queue model's verdict (every command that writes a result runs it); absent in a
    /// document built without it.
    public var model: ModelSection?
    /// Keys grouped by prefix (`user:*`), hottest first.
    public var prefixGroups: [PrefixGroup]?
    /// Keys that turned hot during the run.
    public var emerging: [EmergingKey]?
    /// How concentrated the key references are (Zipf fit and top shares).
    public var popularity: Popularity?
    /// Service latency per command, in µs.
    public var latencyByCommand: [String: LatencySummary]?
    /// What the protocol parsers could not use.
    public var protocolHealth: ParserHealth?
    /// Problems met while reading the input (truncated files, damaged compression); the
    /// result covers what came before each.
    public var inputProblems: [String]?
    /// The analysis summary state: what `hotshard merge` combines, stored compactly.
    @CompactEncoded public var summaryState: AnalysisSnapshot?
    /// Present when keys were replaced by a keyed hash (`--redact`).
    public var redaction: Redaction?
    /// Load and replay runs: how the load was made and what it achieved (nil for captures).
    public var load: LoadSection?
    /// Replay runs: what was replayed, what was skipped, and the capture's latency beside the replay's.
    public var replay: ReplaySection?
    /// Each server's load as the traffic showed it, busiest first: today's layout (absent in results
    /// written before servers were tallied).
    public var servers: [ServerEntry]?
    /// AMQP traffic: per queue, inflow, outflow and backlog over the run and per window, highest
    /// inflow first, as many as hot keys are kept (absent for other protocols).
    public var queues: [QueueEntry]?
    /// AMQP bindings seen but not kept (`QueueBindingSet.limit`): their queues' inflow is a lower
    /// bound. Absent when none was dropped.
    public var queueBindingsDropped: Int?
    /// Queues with less inflow than the last one listed, left out (as many are listed as hot keys).
    public var queuesOmitted: Int?

    /// A document from its mandatory sections; the optional ones are set afterwards by the builders.
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

    /// The writer of a document, so a reader can tell which build produced it.
    public struct Tool: Codable, Sendable {
        /// Always `hotshard`.
        public var name: String = "hotshard"
        /// `HotshardVersion.current` of the build that wrote the document.
        public var version: String = HotshardVersion.current
        /// This build's name and version.
        public init() {}
    }

    /// What a result measured.
    public struct Source: Codable, Sendable {
        /// `capture`: capture files (also `merge` of results); `live`: an interface; `load`; `replay`.
        public enum Kind: String, Codable, Sendable { case capture, live, load, replay }
        /// How the traffic was obtained.
        public var kind: Kind
        /// Capture files, the interface, the load profile path or the replayed captures (for `merge`,
        /// the merged results' own inputs).
        public var inputs: [String]
        /// A source of `kind` over `inputs`.
        public init(kind: Kind, inputs: [String]) {
            self.kind = kind
            self.inputs = inputs
        }
    }

    /// Whole-run counts over every request the analysis saw, hot or not.
    public struct Totals: Codable, Sendable {
        /// Requests parsed (for load and replay: requests sent in the measured part).
        public var requests: Int
        /// Requests not left without a reply (`byStatus` other than `noReply`; in load and replay a
        /// request that failed counts here as an error).
        public var replies: Int
        /// Key references: a multi-key request (`MGET a b`) counts once per key.
        public var keyReferences: Int
        /// Requests whose reply was an error (for load and replay also timeouts and lost connections).
        public var errors: Int
        /// Seconds from the first request's timestamp to the last one's (0 with one request).
        public var durationSeconds: Double
        /// Requests per wire protocol (`resp`, `memcached`, …); protocols not seen are absent.
        public var byProtocol: [String: Int]
        /// Requests per command name, as the protocol parser names it (`GET`, `SET`, …).
        public var byCommand: [String: Int]
        /// Requests per reply status: `ok`, `miss`, `error`, `noReply`; a status not seen is absent.
        public var byStatus: [String: Int]
        /// Totals with every count given (zero by default).
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

    /// How keys were tracked: bounded Space-Saving counters, exact until a slot changes hands.
    public struct Tracking: Codable, Sendable {
        /// Keys tracked individually (`--capacity`).
        public var capacity: Int
        /// True when no tracked key was evicted: every key's count is its true count.
        public var exact: Bool
        /// Distinct keys seen: exact when `distinctKeysEstimated` is false, else a HyperLogLog estimate.
        public var distinctKeys: Int
        /// True when `distinctKeys` is an estimate (more distinct keys than `capacity`).
        public var distinctKeysEstimated: Bool
        /// Tracking figures as the analysis reports them.
        public init(capacity: Int, exact: Bool, distinctKeys: Int, distinctKeysEstimated: Bool) {
            self.capacity = capacity
            self.exact = exact
            self.distinctKeys = distinctKeys
            self.distinctKeysEstimated = distinctKeysEstimated
        }
    }

    /// Latency percentiles in µs (p50, p90, p99 from histogram buckets; max exact).
    public struct Percentiles: Codable, Sendable, Equatable {
        /// Median, µs.
        public var p50: Double
        /// 90th percentile, µs.
        public var p90: Double
        /// 99th percentile, µs.
        public var p99: Double
        /// Largest value seen, µs.
        public var max: Double
        /// Percentiles as given, in µs.
        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
    }

    /// One ranked hot key. The key is flattened into the entry as `key` (UTF-8) or `keyBase64`.
    public struct HotKeyEntry: Codable, Sendable {
        /// The key's bytes (written as `key` when UTF-8, else `keyBase64`; redacted keys are their hash).
        public var key: Key
        /// The protocol of the key's first request (`resp`, `memcached`, …); JSON name `protocol`.
        public var wireProtocol: String
        /// References to the key; an upper bound, within `errorBound` of the true count.
        public var count: Int
        /// Space-Saving's overestimate bound: the true count is in `count - errorBound ... count`.
        public var errorBound: Int
        /// True when the key is in the true top list whatever the overestimates: its lower bound beats
        /// any key outside the list. Always false when ranking by bytes or latency.
        public var guaranteed: Bool
        /// References from read commands (GET, MGET, gets, …).
        public var reads: Int
        /// References from write commands (SET, DEL, set, …); other commands count in neither.
        public var writes: Int
        /// Request bytes sent for the key (a multi-key request's bytes split evenly among its keys).
        public var requestBytes: Int
        /// Reply bytes for the key: its value's size when the reply shows it, else an even split.
        public var replyBytes: Int
        /// The largest single reply (or value) for the key, in bytes.
        public var maxReplyBytes: Int
        /// Reads answered with a value.
        public var hits: Int
        /// References answered "not found" (nil bulk, memcached `END` without a value, HTTP 404).
        public var misses: Int
        /// References whose reply was an error.
        public var errors: Int
        /// Mean requests per second over the run: `count` ÷ `totals.durationSeconds`.
        public var ratePerSecond: Double
        /// References in the key's busiest wall-clock second (requests/s).
        public var peakRatePerSecond: Double
        /// The key's fraction (0-1) of all key references (`totals.keyReferences`).
        public var share: Double
        /// Service latency of the key's paired replies, µs; absent when none was paired.
        public var latencyMicros: Percentiles?
        /// Distinct client addresses that asked for the key: a 64-bit linear-counting estimate, so it
        /// reads 64 once it saturates.
        public var clients: Int
        /// The busiest client's share of this key's requests.
        public var topClientShare: Double?
        /// Seconds from the start of the run to the window where the key turned hot (see `emerging`);
        /// absent when it was not an emerging key.
        public var hotSince: Double?
        /// Seconds from the start to the window where an emerging key cooled; absent while still hot.
        public var coolSince: Double?
        /// The server the key's first request went to, as the traffic showed it (absent when the
        /// result has no per-server figures); `offServerRequests` went elsewhere, the last of them
        /// to `otherServer`. A key on more than one server is not where one scheme puts it.
        public var server: String?
        /// Requests for the key that went to a server other than `server`.
        public var offServerRequests: Int?
        /// The last server other than `server` the key's requests went to.
        public var otherServer: String?
        /// The key's count before its statistics were measured: full statistics (reads, writes,
        /// bytes, hits, misses, errors, peak rate, latency, clients, server) are kept only for the
        /// candidates for the top, from the request that made the key one, so they cover its last
        /// `count − statisticsSince` requests. 0: measured from its first request; absent in results
        /// that do not say (older ones, and runs that measure every key).
        public var statisticsSince: Int?
        /// The first request (1-based) the key's statistics cover, when that is not its first:
        /// what the report and the terminal show beside them.
        public var measuredFrom: Int? { statisticsSince.flatMap { $0 > 0 ? $0 + 1 : nil } }

        private enum CodingKeys: String, CodingKey {
            case wireProtocol = "protocol"
            case count, errorBound, guaranteed, reads, writes, requestBytes, replyBytes, maxReplyBytes
            case hits, misses, errors, ratePerSecond, peakRatePerSecond, share, latencyMicros, clients
            case topClientShare, hotSince, coolSince, server, offServerRequests, otherServer, statisticsSince
        }

        /// An entry with every measured figure; the server fields are set afterwards when servers are known.
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

        /// Reads the key flattened beside the fields (`key` or `keyBase64`).
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
            statisticsSince = try c.decodeIfPresent(Int.self, forKey: .statisticsSince)
        }

        /// Writes the key flattened beside the fields; absent server fields are left out.
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
            try c.encodeIfPresent(statisticsSince, forKey: .statisticsSince)
        }
    }

    /// One server's load over the run and in the window the model was sized on.
    public struct ServerEntry: Codable, Sendable, Equatable {
        /// The server's `host:port` (`[v6]:port`), or "other servers" for those past the first 1,024.
        public var server: String
        /// Requests the server was sent.
        public var requests: Int
        /// Key references in those requests.
        public var keyReferences: Int
        /// Request bytes sent to it.
        public var requestBytes: Int
        /// Reply bytes it sent back.
        public var replyBytes: Int
        /// Its error replies.
        public var errors: Int
        /// p50, p99 and max in µs; nil when no reply was paired.
        public var latencyMicros: ServerLatency?
        /// Hot keys whose first request went here.
        public var hotKeys: Int
        /// One server's figures as tallied.
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

    /// One server's service latency in µs (p50, p99 from histogram buckets; max exact).
    public struct ServerLatency: Codable, Sendable, Equatable {
        /// Median, µs.
        public var p50: Double
        /// 99th percentile, µs.
        public var p99: Double
        /// Largest, µs.
        public var max: Double
        /// Percentiles as given, in µs.
        public init(p50: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p99 = p99
            self.max = max
        }
    }

    /// A latency distribution in µs and the number of samples behind it.
    public struct LatencySummary: Codable, Sendable {
        /// Median, µs.
        public var p50: Double
        /// 90th percentile, µs.
        public var p90: Double
        /// 99th percentile, µs.
        public var p99: Double
        /// 99.9th percentile, µs.
        public var p999: Double
        /// Largest sample, µs.
        public var max: Double
        /// Samples: paired replies (analysis) or completed requests (load, replay).
        public var count: Int
        /// A summary as given, in µs.
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
        /// Request sent (its last byte, in captures) to reply's first byte; absent without a paired reply.
        public var service: LatencySummary?
        /// Load and replay: from the time the schedule meant to send, so a stall counts in full
        /// (coordinated omission corrected, as wrk2); absent for captures.
        public var corrected: LatencySummary?
        /// Service latency and, for load and replay, corrected latency.
        public init(service: LatencySummary?, corrected: LatencySummary? = nil) {
            self.service = service
            self.corrected = corrected
        }
    }

    /// One key of a window's top list; the key is flattened beside `count`.
    public struct WindowKeyCount: Codable, Sendable {
        /// The key (`key` or `keyBase64` in JSON).
        public var key: Key
        /// Its references in the window while it was tracked (a lower bound if its slot changed hands).
        public var count: Int
        private enum CodingKeys: String, CodingKey { case count }
        /// An entry as given.
        public init(key: Key, count: Int) {
            self.key = key
            self.count = count
        }
        /// Reads the flattened key and the count.
        public init(from decoder: any Decoder) throws {
            key = try Key(from: decoder)
            count = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .count)
        }
        /// Writes the key flattened beside the count.
        public func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
        }
    }

    /// One window of the run.
    public struct Window: Codable, Sendable {
        /// Seconds from the start of the run.
        public var start: Double
        /// Requests in the window (exact).
        public var requests: Int
        /// The window's top keys (20, `AnalysisConfiguration.topPerWindow`), hottest first; others are not named.
        public var top: [WindowKeyCount]
        /// The window's service latency in µs (p50, p90, p99 within 1% above the true value, as
        /// `LogHistogram` buckets; max exact); absent where no reply was paired and in documents
        /// written before windows had latency.
        public var latencyMicros: Percentiles?
        /// A window as given.
        public init(start: Double, requests: Int, top: [WindowKeyCount], latencyMicros: Percentiles? = nil) {
            self.start = start
            self.requests = requests
            self.top = top
            self.latencyMicros = latencyMicros
        }
    }

    /// The run cut into equal windows, oldest first.
    public struct Windows: Codable, Sendable {
        /// Each window's length in seconds (`analyze --window`; doubled when a long run's windows are merged).
        public var seconds: Double
        /// The windows in time order.
        public var series: [Window]
        /// A series as given.
        public init(seconds: Double, series: [Window]) {
            self.seconds = seconds
            self.series = series
        }
    }

    /// The model's prediction for one node of a layout.
    public struct NodeLoad: Codable, Sendable {
        /// The node's name in the planner's layout (`node0`, `node1`, … as the scheme spells them).
        public var node: String
        /// Requests per second the model places on the node at the sizing window.
        public var rate: Double
        /// `rate` over the node capacity (given or needed), a fraction; above 1 the node is saturated.
        public var utilisation: Double
        /// Nil when the node is saturated (utilisation ≥ 1): the queue is unbounded.
        public var p99Micros: Double?
        /// A node's prediction as given.
        public init(node: String, rate: Double, utilisation: Double, p99Micros: Double?) {
            self.node = node
            self.rate = rate
            self.utilisation = utilisation
            self.p99Micros = p99Micros
        }
    }

    /// One placement scheme's layout at its evaluated node count.
    public struct SchemeLoad: Codable, Sendable {
        /// The scheme's name (`ketama`, `jump`, `redis-cluster`, …).
        public var scheme: String
        /// The node count the scheme was evaluated at (the fewest that meet the target, else the range's top).
        public var nodes: Int
        /// The busiest node's rate over the mean node rate (1 is perfectly even).
        public var maxOverMean: Double
        /// Each node's predicted load, in node order.
        public var perNode: [NodeLoad]
        /// The same scheme at today's node count (`plan --current-nodes`); absent when none was given.
        public var current: Layout?
        /// A scheme's figures as given.
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
        /// The node count.
        public var nodes: Int
        /// Busiest node's rate over the mean (1 is even).
        public var maxOverMean: Double
        /// Each node's predicted load, in node order.
        public var perNode: [NodeLoad]
        /// A layout as given.
        public init(nodes: Int, maxOverMean: Double, perNode: [NodeLoad]) {
            self.nodes = nodes
            self.maxOverMean = maxOverMean
            self.perNode = perNode
        }
    }

    /// One piece of advice, with the key it is about when it concerns one key.
    public struct Recommendation: Codable, Sendable {
        /// `nodes`: a node count or capacity; `split`, `replicate`, `cache`: remedies for one key; `scheme`.
        public enum Kind: String, Codable, Sendable { case nodes, split, replicate, cache, scheme }
        /// What the advice changes.
        public var kind: Kind
        /// The key the advice is about (`split`, `replicate`, `cache`), flattened as `key` or `keyBase64`.
        public var key: Key?
        /// Nodes or needed ops/s (`nodes`), sub-keys (`split`), replicas, or TTL seconds (`cache`).
        public var factor: Double?
        /// The advice in words, as the terminal and the HTML report print it.
        public var detail: String
        private enum CodingKeys: String, CodingKey { case kind, factor, detail }
        /// Advice as given.
        public init(kind: Kind, key: Key? = nil, factor: Double? = nil, detail: String) {
            self.kind = kind
            self.key = key
            self.factor = factor
            self.detail = detail
        }
        /// Reads the fields and the key when one is flattened beside them.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(Kind.self, forKey: .kind)
            factor = try c.decodeIfPresent(Double.self, forKey: .factor)
            detail = try c.decode(String.self, forKey: .detail)
            key = try? Key(from: decoder)
        }
        /// Writes the key (when there is one) flattened beside the fields.
        public func encode(to encoder: any Encoder) throws {
            if let key { try key.encode(to: encoder) }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encodeIfPresent(factor, forKey: .factor)
            try c.encode(detail, forKey: .detail)
        }
    }

    /// The key references of every key sharing a prefix (`user:*` at depth 1), counted by Space-Saving.
    public struct PrefixGroup: Codable, Sendable {
        /// The prefix, up to and including the delimiter (flattened as `key` or `keyBase64`).
        public var prefix: Key
        /// References to keys with the prefix: an upper bound, within `errorBound`.
        public var count: Int
        /// The overestimate bound: the true count is in `count - errorBound ... count`.
        public var errorBound: Int
        /// `count` as a fraction (0-1) of all key references.
        public var share: Double
        private enum CodingKeys: String, CodingKey { case count, errorBound, share }
        /// A group as given.
        public init(prefix: Key, count: Int, errorBound: Int, share: Double) {
            self.prefix = prefix
            self.count = count
            self.errorBound = errorBound
            self.share = share
        }
        /// Reads the prefix flattened beside the fields.
        public init(from decoder: any Decoder) throws {
            prefix = try Key(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            count = try c.decode(Int.self, forKey: .count)
            errorBound = try c.decode(Int.self, forKey: .errorBound)
            share = try c.decode(Double.self, forKey: .share)
        }
        /// Writes the prefix flattened beside the fields.
        public func encode(to encoder: any Encoder) throws {
            try prefix.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
            try c.encode(errorBound, forKey: .errorBound)
            try c.encode(share, forKey: .share)
        }
    }

    /// What the ring-and-queue model predicts for this traffic under every scheme, and its advice.
    public struct ModelSection: Codable, Sendable {
        /// Requests per second one node serves at 100% utilisation, as given; nil when none was
        /// (then every utilisation is relative to `neededCapacityPerNode`).
        public var capacityPerNode: Double?
        /// Without a given capacity: the smallest node capacity at which the most even scheme meets
        /// the target utilisation at the evaluated node count (and every key fits one node).
        public var neededCapacityPerNode: Double?
        /// The utilisation (fraction 0-1) a node may reach at the sizing window (`--target-utilisation`).
        public var targetUtilisation: Double
        /// The window the rates were taken from.
        public var sizedOn: SizingWindow?
        /// Every scheme's layout at its evaluated node count.
        public var schemes: [SchemeLoad]
        /// The advice, most important first.
        public var recommendations: [Recommendation]
        /// Today's layout as the user gave it (`--current-nodes`, `--current-scheme`); each
        /// scheme's `current` holds its load there.
        public var currentNodes: Int?
        /// Today's scheme (`--current-scheme`); absent when not given.
        public var currentScheme: String?
        /// Keys that alone carry more than a node's fair share (the total ÷ the node count).
        public var keysOverFairShare: [FairShareKey]?
        /// The busiest node's utilisation in every window, today and as recommended.
        public var hottestNodeOverTime: HottestNodeSeries?
        /// Today's layout as the traffic showed it (several servers seen), checked against today's scheme.
        public var observedLayout: ObservedLayout?

        /// The capacity every utilisation in the section is relative to.
        public var effectiveCapacity: Double { capacityPerNode ?? neededCapacityPerNode ?? 0 }

        /// A section from a plan's figures; the optional parts are set by `modelRun`.
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
        /// The key (flattened as `key` or `keyBase64`).
        public var key: Key
        /// The key's rate at the sizing window (or its own peak, when higher).
        public var rate: Double
        /// The rate as a multiple of the fair share (total ÷ nodes).
        public var timesFairShare: Double
        private enum CodingKeys: String, CodingKey { case rate, timesFairShare }
        /// An entry as given.
        public init(key: Key, rate: Double, timesFairShare: Double) {
            self.key = key
            self.rate = rate
            self.timesFairShare = timesFairShare
        }
        /// Reads the key flattened beside the fields.
        public init(from decoder: any Decoder) throws {
            key = try Key(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rate = try c.decode(Double.self, forKey: .rate)
            timesFairShare = try c.decode(Double.self, forKey: .timesFairShare)
        }
        /// Writes the key flattened beside the fields.
        public func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rate, forKey: .rate)
            try c.encode(timesFairShare, forKey: .timesFairShare)
        }
    }

    /// The busiest node's utilisation window by window under two layouts.
    public struct HottestNodeSeries: Codable, Sendable {
        /// A scheme at a node count.
        public struct Layout: Codable, Sendable {
            /// The scheme's name.
            public var scheme: String
            /// Its node count.
            public var nodes: Int
            /// A layout as given.
            public init(scheme: String, nodes: Int) {
                self.scheme = scheme
                self.nodes = nodes
            }
        }
        /// One window's busiest node.
        public struct Point: Codable, Sendable {
            /// Seconds from the start of the run.
            public var start: Double
            /// The busiest node's utilisation (fraction of capacity) under today's layout; absent without one.
            public var today: Double?
            /// The same under the recommended layout with its remedies; absent without a recommendation.
            public var recommended: Double?
            /// A point as given.
            public init(start: Double, today: Double?, recommended: Double?) {
                self.start = start
                self.today = today
                self.recommended = recommended
            }
        }
        /// Today's layout, when the run was told it (`--current-nodes`, `--current-scheme`).
        public var today: Layout?
        /// The recommended scheme and node count; absent when no count fits.
        public var recommended: Layout?
        /// One point per window, in time order.
        public var points: [Point]
        /// A series as given.
        public init(today: Layout?, recommended: Layout?, points: [Point]) {
            self.today = today
            self.recommended = recommended
            self.points = points
        }
    }
}
