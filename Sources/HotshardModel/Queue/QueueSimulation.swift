/// A discrete-event simulation of one FCFS queue with `servers` workers: Poisson arrivals,
/// service times exponential (SCV 1), gamma-like via Erlang-k (SCV = 1/k < 1) or
/// hyperexponential (SCV > 1, balanced means). Deterministic for a seed. Memory is O(customers)
/// for the response-time sample.
public struct QueueSimulation: Sendable {
    /// Requests per second arriving (Poisson).
    public var arrivalRate: Double
    /// Per worker, requests per second (1 / mean service time).
    public var serviceRate: Double
    /// Parallel workers (at least 1).
    public var servers: Int
    /// Squared coefficient of variation of service time (1 = exponential).
    public var serviceSCV: Double
    /// Requests simulated (at least 1).
    public var customers: Int
    /// Seed of the arrival and service draws.
    public var seed: UInt64

    /// The simulation's parameters; `servers` and `customers` are raised to at least 1.
    public init(
        arrivalRate: Double, serviceRate: Double, servers: Int = 1, serviceSCV: Double = 1,
        customers: Int = 200_000, seed: UInt64 = 42
    ) {
        self.arrivalRate = arrivalRate
        self.serviceRate = serviceRate
        self.servers = max(servers, 1)
        self.serviceSCV = serviceSCV
        self.customers = max(customers, 1)
        self.seed = seed
    }

    /// What the simulation measured.
    public struct Outcome: Sendable {
        /// Busy time ÷ (servers × elapsed).
        public var utilisation: Double
        /// Mean response time (waiting + service), seconds.
        public var meanSeconds: Double
        /// 99th percentile of the response time, seconds.
        public var p99Seconds: Double
    }

    /// Runs the simulation: O(customers) time and memory.
    public func run() -> Outcome {
        var rng = SplitMix64(seed: seed)
        var free = [Double](repeating: 0, count: servers)
        var responses = [Double]()
        responses.reserveCapacity(customers)
        var now = 0.0, busy = 0.0, lastEnd = 0.0
        let mean = 1 / serviceRate
        for _ in 0..<customers {
            now += rng.exponential(rate: arrivalRate)
            // The earliest-free worker takes the next customer (FCFS).
            var w = 0
            for i in 1..<servers where free[i] < free[w] { w = i }
            let start = max(now, free[w])
            let service = sampleService(&rng, mean: mean)
            free[w] = start + service
            busy += service
            lastEnd = max(lastEnd, free[w])
            responses.append(free[w] - now)
        }
        responses.sort()
        let p99 = responses[min(responses.count - 1, Int(Double(responses.count) * 0.99))]
        return Outcome(
            utilisation: busy / (Double(servers) * lastEnd),
            meanSeconds: responses.reduce(0, +) / Double(responses.count),
            p99Seconds: p99)
    }

    func sampleService(_ rng: inout SplitMix64, mean: Double) -> Double {
        if abs(serviceSCV - 1) < 1e-9 { return rng.exponential(rate: 1 / mean) }
        if serviceSCV < 1 {
            let k = max(1, Int((1 / serviceSCV).rounded()))
            var sum = 0.0
            for _ in 0..<k { sum += rng.exponential(rate: Double(k) / mean) }
            return sum
        }
        // Balanced-means two-phase hyperexponential with the requested SCV.
        let p = 0.5 * (1 + ((serviceSCV - 1) / (serviceSCV + 1)).squareRoot())
        let rate = rng.uniform() < p ? 2 * p / mean : 2 * (1 - p) / mean
        return rng.exponential(rate: rate)
    }
}
