/// HAProxy's `hash-balance-factor` eligibility rule (`chash_server_is_eligible`, src/lb_chash.c):
/// with B requests in flight on the backend, the request about to be placed makes B + 1, and the
/// backend has `⌈(B + 1) × F ÷ 100⌉` slots. Each server gets `effective weight × ⌊slots ÷ total⌋`
/// plus its proportional part of the remainder (the part between the cumulative weights of the
/// servers before it and including it), never less than 1; it is eligible while it serves fewer
/// requests than its slots. All in C's unsigned 32-bit arithmetic.
public struct HAProxyBalanceFactor: Sendable, Equatable {
    /// F, in percent (HAProxy accepts 0 or 100…; 125 lets a server carry 25 % above its share).
    public let factor: Int
    /// Each server's effective weight (configured weight × 16), in configuration order.
    public let effectiveWeights: [Int]
    /// Σ effective weights of the servers before each one (`cumulative_weight`, recount_servers).
    public let cumulativeWeights: [Int]
    /// Σ effective weights (`tot_weight`).
    public let totalWeight: Int

    /// The rule for factor F over servers with these effective weights (configured weight × 16).
    public init(factor: Int, effectiveWeights: [Int]) {
        self.factor = factor
        self.effectiveWeights = effectiveWeights
        var running = 0
        cumulativeWeights = effectiveWeights.map { weight in
            defer { running += weight }
            return running
        }
        totalWeight = running
    }

    /// The slots server `server` has while `backendServed` requests are in flight on the backend.
    public func slots(server: Int, backendServed: Int) -> UInt32 {
        let total = UInt32(truncatingIfNeeded: max(totalWeight, 1))
        let weight = UInt32(truncatingIfNeeded: effectiveWeights[server])
        let cumulative = UInt32(truncatingIfNeeded: cumulativeWeights[server])
        let totalSlots = (UInt32(truncatingIfNeeded: backendServed) &+ 1) &* UInt32(truncatingIfNeeded: factor) &+ 99
        let slotsTotal = totalSlots / 100
        let perWeight = slotsTotal / total
        let remainder = slotsTotal % total
        var slots = weight &* perWeight
        slots = slots &+ (((cumulative &+ weight) &* remainder) / total &- (cumulative &* remainder) / total)
        return slots == 0 ? 1 : slots
    }

    /// Whether `server`, serving `served` requests, may take one more.
    public func isEligible(server: Int, served: Int, backendServed: Int) -> Bool {
        UInt32(truncatingIfNeeded: served) < slots(server: server, backendServed: backendServed)
    }
}
