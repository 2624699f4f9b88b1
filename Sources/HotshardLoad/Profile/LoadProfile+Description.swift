extension LoadProfile {
    /// The arrival process in a few words for a progress line: "poisson 4000/s", "ramp 100→1000/s over 30.0s".
    public var arrivalDescription: String {
        switch arrival {
        case .constant(let rate): "constant \(Int(rate))/s"
        case .poisson(let rate): "poisson \(Int(rate))/s"
        case .ramp(let from, let to, let seconds): "ramp \(Int(from))→\(Int(to))/s over \(seconds)s"
        case .steps(let steps): "\(steps.count) steps"
        case .closedLoop: "closed loop"
        }
    }
}
