import HotshardProtocols

/// What the model needs of measured traffic: the hot keys' rates at the window the model is sized
/// on, each key's own busiest rate, the untracked tail and service times.
public struct Workload: Sendable, Codable, Equatable {
    /// One key tracked individually, with what placing it needs: its rate, read mix and size.
    public struct HotKey: Sendable, Codable, Equatable {
        /// The key, as bytes (schemes hash these).
        public var key: Key
        /// Requests per second that named the key, in the sizing window (`Workload.sizedOn`).
        public var rate: Double
        /// Fraction of those requests that were reads (0…1).
        public var readFraction: Double
        /// Mean request + reply bytes per request.
        public var meanBytes: Double
        /// The key's rate in its own busiest window, when known and larger than `rate`: a key can
        /// peak outside the window the cluster peaks in, and the node holding it must carry that too.
        public var peakRate: Double?

        /// A hot key as given.
        public init(key: Key, rate: Double, readFraction: Double, meanBytes: Double, peakRate: Double? = nil) {
            self.key = key
            self.rate = rate
            self.readFraction = readFraction
            self.meanBytes = meanBytes
            self.peakRate = peakRate
        }

        /// The rate a node holding this key alone must carry at some moment: the larger of its
        /// rate in the sizing window and its own peak.
        public var sizingRate: Double { max(rate, peakRate ?? 0) }
    }

    /// The tracked keys, in the result's order (hottest first).
    public var hotKeys: [HotKey]
    /// Requests per second of keys not tracked individually, spread by hash-space share.
    public var tailRate: Double
    /// Distinct keys in the tail (estimated), so the tail can be spread as many small keys.
    public var tailKeys: Int
    /// Seconds the rates were measured over (the sizing window, or the whole run).
    public var durationSeconds: Double
    /// Measured mean service time and its squared coefficient of variation, when known.
    public var meanServiceSeconds: Double?
    /// Squared coefficient of variation of the service time (1 is exponential); nil: unknown.
    public var serviceTimeSCV: Double?
    /// The window the rates are for; nil for whole-run means of a workload built by hand.
    public var sizedOn: SizingWindow?

    /// A workload as given.
    public init(
        hotKeys: [HotKey], tailRate: Double, tailKeys: Int, durationSeconds: Double,
        meanServiceSeconds: Double? = nil, serviceTimeSCV: Double? = nil, sizedOn: SizingWindow? = nil
    ) {
        self.hotKeys = hotKeys
        self.tailRate = tailRate
        self.tailKeys = tailKeys
        self.durationSeconds = durationSeconds
        self.meanServiceSeconds = meanServiceSeconds
        self.serviceTimeSCV = serviceTimeSCV
        self.sizedOn = sizedOn
    }

    /// Requests per second of the whole workload: the hot keys' rates plus the tail.
    public var totalRate: Double { hotKeys.reduce(tailRate) { $0 + $1.rate } }
}

/// Which window of the traffic a model is sized on.
public enum RateBasis: String, Sendable, Codable, CaseIterable {
    /// The busiest window: what the cluster must carry at its worst moment (a flash sale).
    case peak
    /// The window at the 99th percentile of window totals: ignores the single busiest windows of a
    /// long run (a burst of a few seconds in an hour) while still sizing above the mean.
    case p99
    /// The whole run's mean rate: today's averages, for what-ifs (a flash sale is averaged away).
    case mean
}

/// The window a workload's rates were measured in.
public struct SizingWindow: Sendable, Codable, Equatable {
    /// Which window the rates come from.
    public var basis: RateBasis
    /// Seconds from the start of the run (0 for `mean`).
    public var windowStart: Double
    /// The window's length in seconds (the run's duration for `mean`).
    public var windowSeconds: Double

    /// A window as given.
    public init(basis: RateBasis, windowStart: Double, windowSeconds: Double) {
        self.basis = basis
        self.windowStart = windowStart
        self.windowSeconds = windowSeconds
    }
}
