import HotshardModel
import HotshardProtocols

/// The model's input from a saved result, at the window it is sized on.
///
/// A window's document lists only its top keys (`AnalysisConfiguration.topPerWindow`, 20). A hot key
/// listed there has its counted rate. The window's other key references (its requests times the
/// run's key references per request) are spread over the unlisted hot keys and the tail in
/// proportion to their whole-run counts, an unlisted key never above the window's smallest listed
/// count (which bounds it: it would have been listed). Window totals are therefore exact and the
/// hottest keys' rates counted; only keys outside each window's top list are estimated.
extension Workload {
    /// The workload at the window `basis` picks (the busiest, or the 99th percentile of window
    /// totals), each hot key also at its own peak second; whole-run means for `.mean` or without windows.
    ///
    /// `publishesOnly` (queues, `--queue-capacity`): the window is chosen by its publishes — the
    /// keys written and never read, summed from each window's top list — since a queue's
    /// deliveries are the same messages leaving and a consumer draining a backlog must not pick it.
    public init(result: ResultDocument, basis: RateBasis = .peak, publishesOnly: Bool = false) {
        let series = result.windows.series
        let windowSeconds = result.windows.seconds
        var weights = series.map(\.requests)
        if publishesOnly {
            let published = Set(result.hotKeys.filter { $0.writes > 0 && $0.reads == 0 }.map(\.key))
            weights = series.map { window in window.top.reduce(0) { $0 + (published.contains($1.key) ? $1.count : 0) } }
        }
        guard basis != .mean, windowSeconds > 0, let index = Self.sizingWindow(weights, basis: basis) else {
            self.init(meanOf: result)
            return
        }
        self.init(result: result, window: index)
        sizedOn = SizingWindow(basis: basis, windowStart: series[index].start, windowSeconds: windowSeconds)
        // Each key is also checked at its own busiest second: it may peak when the total does not.
        for i in hotKeys.indices where i < result.hotKeys.count {
            hotKeys[i].peakRate = result.hotKeys[i].peakRatePerSecond > hotKeys[i].rate ? result.hotKeys[i].peakRatePerSecond : nil
        }
    }

    /// Whole-run means: each hot key's rate is count ÷ duration, the tail the key references not
    /// attributed to a hot key, per second. Service time from the result's latency summary is not
    /// used (it includes network time).
    public init(meanOf result: ResultDocument) {
        let duration = result.totals.durationSeconds > 0 ? result.totals.durationSeconds : 1
        let hot = result.hotKeys.map { entry in
            Workload.HotKey(
                key: entry.key, rate: Double(entry.count) / duration, readFraction: Self.readFraction(entry),
                meanBytes: Self.meanBytes(entry))
        }
        let hotCount = result.hotKeys.reduce(0) { $0 + $1.count }
        let tail = max(0, result.totals.keyReferences - hotCount)
        self.init(
            hotKeys: hot, tailRate: Double(tail) / duration,
            tailKeys: max(0, result.tracking.distinctKeys - result.hotKeys.count), durationSeconds: duration,
            sizedOn: SizingWindow(basis: .mean, windowStart: 0, windowSeconds: duration))
    }

    /// The traffic of one window of the result (see the type's note for what is estimated).
    public init(result: ResultDocument, window index: Int) {
        let window = result.windows.series[index]
        let seconds = result.windows.seconds > 0 ? result.windows.seconds : 1
        let referencesPerRequest =
            result.totals.requests > 0
            ? Double(result.totals.keyReferences) / Double(result.totals.requests) : 1
        let windowReferences = Double(window.requests) * referencesPerRequest
        var listed: [Key: Int] = [:]
        for entry in window.top { listed[entry.key, default: 0] += entry.count }
        let listedTotal = Double(window.top.reduce(0) { $0 + $1.count })
        let ceiling = window.top.map(\.count).min().map(Double.init) ?? .infinity
        let hotCount = result.hotKeys.reduce(0) { $0 + $1.count }
        let tailCount = Double(max(0, result.totals.keyReferences - hotCount))
        let unlistedWeight = result.hotKeys.reduce(tailCount) { $0 + (listed[$1.key] == nil ? Double($1.count) : 0) }
        let remainder = max(0, windowReferences - listedTotal)
        var spread = 0.0
        let hot = result.hotKeys.map { entry -> Workload.HotKey in
            let count: Double
            if let seen = listed[entry.key] {
                count = Double(seen)
            } else {
                count = unlistedWeight > 0 ? min(ceiling, remainder * Double(entry.count) / unlistedWeight) : 0
                spread += count
            }
            return Workload.HotKey(
                key: entry.key, rate: count / seconds, readFraction: Self.readFraction(entry),
                meanBytes: Self.meanBytes(entry))
        }
        self.init(
            hotKeys: hot, tailRate: max(0, remainder - spread) / seconds,
            tailKeys: max(0, result.tracking.distinctKeys - result.hotKeys.count), durationSeconds: seconds)
    }

    /// The index of the window to size on: the busiest, or the one at the 99th percentile of
    /// window totals (nearest rank); nil when there are no windows.
    static func sizingWindow(_ requests: [Int], basis: RateBasis) -> Int? {
        guard !requests.isEmpty else { return nil }
        let order = requests.indices.sorted { (requests[$0], -$0) < (requests[$1], -$1) }
        switch basis {
        case .peak, .mean: return order.last
        case .p99:
            let rank = Int((0.99 * Double(order.count)).rounded(.up))
            return order[max(0, min(order.count - 1, rank - 1))]
        }
    }

    static func readFraction(_ entry: ResultDocument.HotKeyEntry) -> Double {
        entry.reads + entry.writes > 0 ? Double(entry.reads) / Double(entry.reads + entry.writes) : 1
    }

    static func meanBytes(_ entry: ResultDocument.HotKeyEntry) -> Double {
        entry.count > 0 ? Double(entry.requestBytes + entry.replyBytes) / Double(entry.count) : 0
    }
}
