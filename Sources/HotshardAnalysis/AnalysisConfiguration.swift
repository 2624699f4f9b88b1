/// What the analyzer tracks and how it bounds its memory.
public struct AnalysisConfiguration: Sendable, Codable {
    public enum RankBy: String, Sendable, Codable, CaseIterable {
        case requests, bytes, latency
    }

    /// Keys tracked individually (Space-Saving counters, exact while the keys fit, bounded after).
    public var capacity = 65_536
    /// Keys with full statistics (reads and writes, bytes, hits, clients, latency): the candidates
    /// for the reported top, the keys of highest count (`CandidateTier`); nil means 1,024. Every
    /// tracked key still has its exact-or-bounded count. Ranking by bytes or latency needs every
    /// key's statistics, so it gives all `capacity` keys statistics.
    public var candidateCapacity: Int?
    /// The keys with full statistics, as `candidateCapacity` and `rankBy` make it.
    public var effectiveCandidateCapacity: Int {
        rankBy == .requests ? max(1, min(capacity, candidateCapacity ?? 1_024)) : capacity
    }
    public var rankBy = RankBy.requests
    public var windowSeconds = 1.0
    /// Top keys kept per window (for the heat timeline and emerging keys).
    public var topPerWindow = 20
    /// Keys counted per window before the window's own Space-Saving evicts.
    public var windowTrackingCapacity = 1_024
    /// Windows kept before old ones are coarsened (adjacent pairs merged).
    public var windowBudget = 4_096
    /// Prefix groups: delimiter and depth (`user:42:name` at depth 1 is `user:*`).
    public var prefixDelimiter: UInt8 = UInt8(ascii: ":")
    public var prefixDepth = 1
    public var prefixCapacity = 4_096
    /// A key turns hot in the window where its count reaches `emergingRateMultiple` times its
    /// mean count in the earlier windows and `emergingShare` of the window's requests; it cools
    /// in the first later window where its share falls below half of `emergingShare`.
    public var emergingRateMultiple = 5.0
    public var emergingShare = 0.05
    /// Windows at the start that only form the baseline (a key hot from the start is not "emerging").
    public var emergingWarmupWindows = 3
    /// Fewest requests in a window for a key to be called hot there.
    public var emergingMinimumRequests = 10

    public init() {}
}
