import Foundation

/// A single node's queue: Poisson arrivals at `arrivalRate`, `servers` parallel workers each
/// serving at `serviceRate` per second, FCFS.
///
/// - `mm1` and `mmc` (Erlang C) are exact for exponential service: mean and p99 of the
///   response time (waiting + service) solve the closed-form distribution.
/// - `mg1` uses Pollaczek–Khinchine for the mean (exact for any service distribution with the
///   given squared coefficient of variation) and, for p99, a documented approximation: the
///   waiting time is taken as 0 with probability 1 − ρ and exponential with probability ρ, its
///   mean matched to P-K, added to an exponential service time. With SCV = 1 this is exact M/M/1.
///
/// Saturation (ρ ≥ 1) is reported as `QueuePrediction.saturated`, never as a number.
public struct QueueModel: Sendable, Equatable {
    /// M/M/1, M/M/c (Erlang C) or M/G/1 (Pollaczek–Khinchine).
    public enum Kind: String, Sendable, Codable { case mm1, mmc, mg1 }

    /// Which model predicts.
    public var kind: Kind
    /// Requests per second arriving (Poisson).
    public var arrivalRate: Double
    /// Per worker, requests per second (1 / mean service time).
    public var serviceRate: Double
    /// Parallel workers (M/M/c; 1 otherwise).
    public var servers: Int
    /// Squared coefficient of variation of service time (M/G/1 only; 1 = exponential).
    public var serviceSCV: Double

    /// The model's parameters; `servers` is raised to at least 1.
    public init(kind: Kind, arrivalRate: Double, serviceRate: Double, servers: Int = 1, serviceSCV: Double = 1) {
        self.kind = kind
        self.arrivalRate = arrivalRate
        self.serviceRate = serviceRate
        self.servers = max(servers, 1)
        self.serviceSCV = serviceSCV
    }

    /// ρ = λ ÷ (c μ).
    public var utilisation: Double {
        let c = kind == .mmc ? Double(servers) : 1
        return arrivalRate / (c * serviceRate)
    }

    /// Probability that an arrival waits: Erlang C for M/M/c, ρ for one server.
    public var waitProbability: Double? {
        guard utilisation < 1 else { return nil }
        switch kind {
        case .mm1, .mg1: return utilisation
        case .mmc: return Self.erlangC(servers: servers, offeredLoad: arrivalRate / serviceRate)
        }
    }

    /// Erlang C: the probability of waiting with `servers` workers and offered load a = λ/μ
    /// erlangs (requires a < servers). Computed through the Erlang B recursion, stable for large c.
    public static func erlangC(servers: Int, offeredLoad a: Double) -> Double {
        var b = 1.0
        for k in 1...max(servers, 1) { b = a * b / (Double(k) + a * b) }
        let rho = a / Double(servers)
        return b / (1 - rho + rho * b)
    }

    /// The prediction: utilisation, and mean and p99 response time unless saturated.
    public func predict() -> QueuePrediction {
        let rho = utilisation
        guard rho < 1, arrivalRate >= 0, serviceRate > 0 else { return .saturated(utilisation: rho) }
        let (pWait, waitRate) = waitingTail()
        let meanWait = pWait / waitRate
        let mean = meanWait + 1 / serviceRate
        let p99 = Self.quantile(0.99, pWait: pWait, waitRate: waitRate, serviceRate: serviceRate)
        return .stable(utilisation: rho, meanSeconds: mean, p99Seconds: p99)
    }

    /// The waiting time is 0 w.p. 1 − pWait, else exponential with rate `waitRate`.
    func waitingTail() -> (Double, Double) {
        let mu = serviceRate, lambda = arrivalRate
        switch kind {
        case .mm1:
            return (lambda / mu, mu - lambda)
        case .mmc:
            let c = Double(servers)
            return (Self.erlangC(servers: servers, offeredLoad: lambda / mu), c * mu - lambda)
        case .mg1:
            let rho = lambda / mu
            guard rho > 0 else { return (0, mu) }
            let meanWait = rho * (1 + serviceSCV) / (2 * (1 - rho)) / mu  // Pollaczek–Khinchine
            return (rho, rho / meanWait)
        }
    }

    /// Solves P(T > t) = 1 − q for T = S + W, S ~ Exp(μ), W as in `waitingTail`, by bisection.
    static func quantile(_ q: Double, pWait: Double, waitRate theta: Double, serviceRate mu: Double) -> Double {
        func survival(_ t: Double) -> Double {
            let es = exp(-mu * t)
            let convolved: Double
            if abs(theta - mu) < 1e-9 * mu {
                convolved = es * (1 + mu * t)
            } else {
                convolved = (theta * es - mu * exp(-theta * t)) / (theta - mu)
            }
            return (1 - pWait) * es + pWait * convolved
        }
        let target = 1 - q
        var low = 0.0, high = 1 / mu
        while survival(high) > target { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if survival(mid) > target { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
