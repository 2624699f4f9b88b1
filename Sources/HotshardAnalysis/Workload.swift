import HotshardProtocols

/// What the model needs of measured traffic: the hot keys' rates, the untracked tail and service times.
public struct Workload: Sendable, Codable, Equatable {
    public struct HotKey: Sendable, Codable, Equatable {
        public var key: Key
        /// Requests per second that named the key.
        public var rate: Double
        /// Fraction of those requests that were reads (0…1).
        public var readFraction: Double
        /// Mean request + reply bytes per request.
        public var meanBytes: Double

        public init(key: Key, rate: Double, readFraction: Double, meanBytes: Double) {
            self.key = key
            self.rate = rate
            self.readFraction = readFraction
            self.meanBytes = meanBytes
        }
    }

    public var hotKeys: [HotKey]
    /// Requests per second of keys not tracked individually, spread by hash-space share.
    public var tailRate: Double
    /// Distinct keys in the tail (estimated), so the tail can be spread as many small keys.
    public var tailKeys: Int
    public var durationSeconds: Double
    /// Measured mean service time and its squared coefficient of variation, when known.
    public var meanServiceSeconds: Double?
    public var serviceTimeSCV: Double?

    public init(
        hotKeys: [HotKey], tailRate: Double, tailKeys: Int, durationSeconds: Double,
        meanServiceSeconds: Double? = nil, serviceTimeSCV: Double? = nil
    ) {
        self.hotKeys = hotKeys
        self.tailRate = tailRate
        self.tailKeys = tailKeys
        self.durationSeconds = durationSeconds
        self.meanServiceSeconds = meanServiceSeconds
        self.serviceTimeSCV = serviceTimeSCV
    }

    public var totalRate: Double { hotKeys.reduce(tailRate) { $0 + $1.rate } }
}
