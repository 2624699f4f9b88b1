#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Intended send times, in ns from the start of the run, following the profile's arrival
/// process and the rate changes of its phases. One schedule can be split among `shares`
/// workers: worker `index` gets every request of a `rate / shares` schedule, offset so that the
/// workers interleave. O(phases) per request.
public struct ArrivalSchedule: Sendable {
    public let spec: ArrivalSpec
    let phases: [Phase]
    let scale: Double
    private var random: SeededGenerator
    private var seconds: Double
    /// Evenly spaced times are computed as anchor + k/rate (no drift from summing 1/rate).
    private var anchorSeconds = 0.0
    private var anchorIndex = 0
    private var anchorRate = -1.0

    public init(spec: ArrivalSpec, phases: [Phase], seed: UInt64, shares: Int = 1, index: Int = 0) {
        self.spec = spec
        self.phases = phases.filter { $0.rate != nil }
        self.scale = 1 / Double(max(1, shares))
        self.random = SeededGenerator(seed: seed ^ 0xa5a5_0000_0000_0000 &+ UInt64(index))
        self.seconds = 0
        if shares > 1, case .constant = spec {
            // Stagger the workers' first requests by their share of one gap.
            seconds = Double(index) / Double(shares) / max(1e-9, rate(at: 0))
        }
    }

    /// The whole-client rate (requests/s) the profile asks for at `seconds` from the start; nil in closed loop.
    public func targetRate(at seconds: Double) -> Double? {
        for phase in phases.reversed() where phase.contains(seconds) {
            if let rate = phase.rate { return rate }
        }
        switch spec {
        case .constant(let rate), .poisson(let rate): return rate
        case .ramp(let from, let to, let over):
            return seconds >= over ? to : from + (to - from) * seconds / over
        case .steps(let steps):
            var start = 0.0
            for step in steps {
                if seconds < start + step.seconds { return step.rate }
                start += step.seconds
            }
            return steps.last?.rate
        case .closedLoop: return nil
        }
    }

    /// This worker's rate at `seconds`.
    func rate(at seconds: Double) -> Double { (targetRate(at: seconds) ?? 0) * scale }

    /// The next intended send time in ns, advancing the schedule.
    public mutating func next() -> Int64 {
        let now = seconds
        let rate = max(1e-9, rate(at: now))
        switch spec {
        case .poisson:
            seconds += -log(random.nextOpenDouble()) / rate
        default:
            if rate != anchorRate {
                anchorRate = rate
                anchorSeconds = now
                anchorIndex = 0
            }
            anchorIndex += 1
            seconds = anchorSeconds + Double(anchorIndex) / rate
        }
        return Int64((now * 1e9).rounded())
    }
}
