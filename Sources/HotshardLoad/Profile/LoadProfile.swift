import HotshardProtocols

/// A workload: where it goes, how fast, which keys and operations, its phases and the thresholds
/// that decide the exit status. Read from YAML by `ProfileReader`; every field is validated there.
public struct LoadProfile: Sendable {
    /// The file it came from (for messages), or a label.
    public var source: String
    public var target: LoadTarget
    /// Several servers driven as one pool (`target` is then its first node); nil: one server.
    public var pool: LoadPool?
    /// RESP protocol version for redis targets (2 or 3; 3 sends `HELLO 3` when a connection opens).
    public var respVersion: Int = 2
    /// memcached targets: text, meta or binary protocol.
    public var memcachedProtocol = MemcachedProtocol.text
    /// HTTP: the path for a key (`{key}` is replaced by the key), extra headers, POST body size.
    public var httpPath: String = "/{key}"
    public var httpHeaders: [(String, String)] = []
    /// AMQP targets: exchange, confirms, queues declared and consumed (nil for other protocols).
    public var amqp: AMQPSettings?
    public var connections: Int = 8
    public var pipeline: Int = 1
    /// Event-loop threads of the client.
    public var threads: Int = 1
    public var arrival: ArrivalSpec = .constant(rate: 1_000)
    /// Measured time (seconds) after the warm-up; nil when `requests` bounds the run.
    public var durationSeconds: Double? = 10
    /// Measured requests after the warm-up; nil when `duration` bounds the run.
    public var requests: Int?
    /// Seconds of load before measurement starts; their requests are excluded from the result.
    public var warmupSeconds: Double = 0
    public var seed: UInt64 = 1
    public var keyCount: UInt64 = 100_000
    public var keyFormat: KeyFormat
    public var distribution: KeyDistribution = .uniform
    public var operations: [OperationSpec]
    public var valueSize: ValueSize = .fixed(100)
    public var phases: [Phase] = []
    public var thresholds: [Threshold] = []
    /// A request unanswered this long is a timeout; its connection is closed and reopened.
    public var timeoutSeconds: Double = 5
    /// Requests due but waiting for a free connection slot, at most; beyond, they are dropped and counted.
    public var maxBacklog: Int = 1_000_000
    /// Set by `load --shard` (not read from the YAML): the share of the run's requests this process sends.
    public var shard: LoadShard?
    /// Set by `load --start-at` (ns since the epoch): every shard's schedule starts then, warm-up
    /// and phases measured from it. Nil: as soon as the connections are open.
    public var startAtNanos: Int64?

    public init(source: String, target: LoadTarget, keyFormat: KeyFormat, operations: [OperationSpec]) {
        self.source = source
        self.target = target
        self.keyFormat = keyFormat
        self.operations = operations
    }

    /// The wire protocol the target speaks.
    public var wireProtocol: WireProtocol {
        switch target.scheme {
        case .redis: .resp
        case .memcached: .memcached
        case .http: .http
        case .amqp: .amqp
        }
    }

    /// Whole run in seconds (warm-up + measured) when bounded by time.
    public var totalSeconds: Double? { durationSeconds.map { $0 + warmupSeconds } }

    /// The most distinct keys the run can name: the key space (unless a weighted list without a
    /// tail replaces it), the list's own keys and the phases' flash keys.
    public var distinctKeysBound: Int {
        var bound = Int(clamping: keyCount)
        if case .weighted(let entries, let tail) = distribution {
            bound = entries.count + (tail == nil ? 0 : bound)
        }
        return bound + Set(phases.compactMap(\.flashKey)).count
    }
}

/// How requests arrive.
public enum ArrivalSpec: Sendable, Equatable {
    /// Evenly spaced, `rate` per second.
    case constant(rate: Double)
    /// Exponential gaps with mean 1/rate.
    case poisson(rate: Double)
    /// Rate moving linearly from `from` to `to` over `seconds` (then holding `to`).
    case ramp(from: Double, to: Double, seconds: Double)
    /// Constant rate per step, each for its seconds; the last step holds.
    case steps([Step])
    /// No schedule: every connection keeps `pipeline` requests in flight (as wrk and redis-benchmark do).
    case closedLoop

    public struct Step: Sendable, Equatable {
        public var rate: Double
        public var seconds: Double
        public init(rate: Double, seconds: Double) {
            self.rate = rate
            self.seconds = seconds
        }
    }

    public var isOpenLoop: Bool { self != .closedLoop }
}

/// One entry of the operation mix.
public struct OperationSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case get, set, multiGet, delete, incr, httpGet, httpPost
        /// AMQP basic.publish: the key is the routing key, the value size the body's.
        case publish
    }
    public var kind: Kind
    /// Keys per request (MGET / memcached multi-get); 1 otherwise.
    public var keys: Int
    public var weight: Double

    public init(kind: Kind, keys: Int = 1, weight: Double) {
        self.kind = kind
        self.keys = keys
        self.weight = weight
    }

    public var isWrite: Bool { kind == .set || kind == .delete || kind == .incr || kind == .httpPost || kind == .publish }
}

/// Value sizes for writes (SET, memcached set, HTTP POST bodies, AMQP message bodies).
public enum ValueSize: Sendable, Equatable {
    case fixed(Int)
    /// Uniform over min...max.
    case uniform(min: Int, max: Int)
    /// One of the sizes by weight.
    case choices([(size: Int, weight: Double)])

    public static func == (lhs: ValueSize, rhs: ValueSize) -> Bool {
        switch (lhs, rhs) {
        case (.fixed(let a), .fixed(let b)): a == b
        case (.uniform(let a, let b), .uniform(let c, let d)): a == c && b == d
        case (.choices(let a), .choices(let b)): a.map(\.size) == b.map(\.size) && a.map(\.weight) == b.map(\.weight)
        default: false
        }
    }

    /// The largest size it can produce (bounds buffers).
    public var maximum: Int {
        switch self {
        case .fixed(let size): size
        case .uniform(_, let max): max
        case .choices(let choices): choices.map(\.size).max() ?? 0
        }
    }
}

/// A time range of the run that changes the traffic. Times are seconds from the start of the
/// run (warm-up included); a later phase wins where ranges overlap.
public struct Phase: Sendable {
    public var fromSeconds: Double
    public var toSeconds: Double
    /// Replaces the arrival rate (open loop).
    public var rate: Double?
    /// Replaces the operation mix.
    public var operations: [OperationSpec]?
    /// Moves the hot set: item i becomes item (i + shift) mod count.
    public var hotShift: UInt64?
    /// A flash key that takes `share` of the requests (a flash sale).
    public var flashKey: Key?
    public var flashShare: Double = 0

    public init(fromSeconds: Double, toSeconds: Double) {
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
    }

    public func contains(_ seconds: Double) -> Bool { seconds >= fromSeconds && seconds < toSeconds }
}
