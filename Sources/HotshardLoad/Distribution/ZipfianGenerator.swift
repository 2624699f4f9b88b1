#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// YCSB's `ZipfianGenerator` (Gray et al., "Quickly Generating Billion-Record Synthetic
/// Databases", SIGMOD 1994): item 0 is the most popular, item i has probability close to
/// (1/(i+1)^θ) / ζ(n, θ). Constant time per draw after an O(n) (or O(10⁶) approximated)
/// zeta computation at construction. θ must lie in (0, 1), as in YCSB.
public struct ZipfianGenerator: Sendable {
    public let items: UInt64
    public let theta: Double
    public let zetan: Double
    let zeta2theta: Double
    let alpha: Double
    let eta: Double
    let secondThreshold: Double

    /// `zetan` may be given when known (YCSB passes a precomputed constant for its scrambled variant).
    public init(items: UInt64, theta: Double, zetan: Double? = nil) {
        precondition(items >= 1 && theta > 0 && theta < 1, "validated by the profile reader")
        self.items = items
        self.theta = theta
        self.zeta2theta = Self.zeta(2, theta: theta)
        self.alpha = 1 / (1 - theta)
        let zetan = zetan ?? Self.zeta(items, theta: theta)
        self.zetan = zetan
        self.eta = (1 - pow(2 / Double(items), 1 - theta)) / (1 - zeta2theta / zetan)
        self.secondThreshold = 1 + pow(0.5, theta)
    }

    /// One item in 0..<items.
    @inline(__always)
    public func next(_ random: inout SeededGenerator) -> UInt64 {
        let u = random.nextDouble()
        let uz = u * zetan
        if uz < 1 { return 0 }
        if uz < secondThreshold { return min(1, items - 1) }
        let value = Double(items) * pow(eta * u - eta + 1, alpha)
        // u < 1 keeps value below items; the clamp guards rounding.
        return min(items - 1, UInt64(max(0, value)))
    }

    /// ζ(n, θ) = Σ_{i=1..n} 1/i^θ. Summed exactly up to 10⁷ items; above that the first 10⁶
    /// terms are summed and the rest follows Euler–Maclaurin (relative error below 1e-12).
    public static func zeta(_ n: UInt64, theta: Double) -> Double {
        let exactLimit: UInt64 = 10_000_000
        if n <= exactLimit {
            var sum = 0.0
            var i: UInt64 = 1
            while i <= n {
                sum += 1 / pow(Double(i), theta)
                i += 1
            }
            return sum
        }
        let m: UInt64 = 1_000_000
        var sum = 0.0
        for i in 1...m { sum += 1 / pow(Double(i), theta) }
        let a = Double(m), b = Double(n)
        let f = { (x: Double) in pow(x, -theta) }
        let derivative = { (x: Double) in -theta * pow(x, -theta - 1) }
        let integral = theta == 1 ? log(b / a) : (pow(b, 1 - theta) - pow(a, 1 - theta)) / (1 - theta)
        // Σ_{i=m+1..n} f(i) = ∫_m^n f + (f(n) − f(m))/2 + (f'(n) − f'(m))/12 − …
        sum += integral + (f(b) - f(a)) / 2 + (derivative(b) - derivative(a)) / 12
        return sum
    }

    /// The probability that `next` returns `item`, from the generator's own arithmetic (not the
    /// ideal Zipf law): what a chi-square test of the generator compares against.
    public func probability(of item: UInt64) -> Double {
        guard item < items else { return 0 }
        if item == 0 { return min(1, 1 / zetan) }
        let low1 = 1 / zetan, low2 = secondThreshold / zetan
        if item == 1 { return max(0, min(1, low2) - low1) }
        // next returns ⌊n·(ηu − η + 1)^α⌋ for u ≥ low2: solve for the u interval giving `item`.
        func uFor(_ value: Double) -> Double {
            (pow(value / Double(items), 1 - theta) - 1 + eta) / eta
        }
        var lower = max(low2, uFor(Double(item)))
        var upper = item == items - 1 ? 1 : min(1, uFor(Double(item + 1)))
        lower = min(1, lower)
        upper = max(lower, upper)
        return upper - lower
    }
}
