/// What a queue model predicts for one node. A saturated node (ρ ≥ 1) has no finite latency.
public enum QueuePrediction: Sendable, Equatable {
    case stable(utilisation: Double, meanSeconds: Double, p99Seconds: Double)
    case saturated(utilisation: Double)

    /// ρ: the share of the node's capacity in use (≥ 1 when saturated).
    public var utilisation: Double {
        switch self {
        case .stable(let u, _, _), .saturated(let u): u
        }
    }

    /// Whether ρ ≥ 1: the queue grows without bound.
    public var isSaturated: Bool { if case .saturated = self { true } else { false } }

    /// p99 in seconds, nil when saturated.
    public var p99Seconds: Double? { if case .stable(_, _, let p) = self { p } else { nil } }
    /// Mean response time in seconds, nil when saturated.
    public var meanSeconds: Double? { if case .stable(_, let m, _) = self { m } else { nil } }
}
