/// What a queue model predicts for one node. A saturated node (ρ ≥ 1) has no finite latency.
public enum QueuePrediction: Sendable, Equatable {
    case stable(utilisation: Double, meanSeconds: Double, p99Seconds: Double)
    case saturated(utilisation: Double)

    public var utilisation: Double {
        switch self {
        case .stable(let u, _, _), .saturated(let u): u
        }
    }

    public var isSaturated: Bool { if case .saturated = self { true } else { false } }

    /// p99 in seconds, nil when saturated.
    public var p99Seconds: Double? { if case .stable(_, _, let p) = self { p } else { nil } }
    public var meanSeconds: Double? { if case .stable(_, let m, _) = self { m } else { nil } }
}
