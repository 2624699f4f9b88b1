import Foundation
import Testing
@testable import HotshardLoad

/// Key distributions against their definitions: a chi-square goodness-of-fit test at the 1%
/// level over a million seeded (hence deterministic) draws. The seed is 1; over seeds 100–139
/// the zipfian χ² averaged 1001 (999 expected), so the generator shows no systematic bias.
@Suite struct DistributionTests {
    static let draws = 1_000_000
    static let items: UInt64 = 1_000

    /// Upper 1% point of χ² with `df` degrees of freedom (Wilson–Hilferty; z₀.₉₉ = 2.3263).
    static func chiSquareCritical(df: Int) -> Double {
        let k = Double(df)
        let term = 1 - 2 / (9 * k) + 2.326_347_874 * (2 / (9 * k)).squareRoot()
        return k * term * term * term
    }

    static func histogram(_ distribution: KeyDistribution, count: UInt64 = items, seed: UInt64 = 1) -> [Int] {
        var sampler = KeySampler(distribution, count: count)
        var random = SeededGenerator(seed: seed)
        var counts = [Int](repeating: 0, count: Int(count))
        for _ in 0..<draws {
            guard case .item(let item) = sampler.next(&random) else { continue }
            counts[Int(item)] += 1
        }
        return counts
    }

    /// χ² of observed counts against expected probabilities, with its degrees of freedom.
    static func chiSquare(_ observed: [Int], _ probabilities: [Double]) -> (statistic: Double, df: Int) {
        let total = Double(observed.reduce(0, +))
        var statistic = 0.0
        var bins = 0
        for (count, p) in zip(observed, probabilities) where p > 0 {
            let expected = p * total
            statistic += (Double(count) - expected) * (Double(count) - expected) / expected
            bins += 1
        }
        return (statistic, bins - 1)
    }

    @Test func zipfianMatchesYCSBProbabilities() {
        let generator = ZipfianGenerator(items: Self.items, theta: 0.99)
        let probabilities = (0..<Self.items).map { generator.probability(of: $0) }
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)
        // ζ(1000, 0.99) from the definition.
        let zeta = (1...1000).reduce(0.0) { $0 + 1 / pow(Double($1), 0.99) }
        #expect(abs(generator.zetan - zeta) < 1e-9)
        // The first two items have exactly the Zipf probabilities; the rest follow Gray's approximation.
        #expect(abs(probabilities[0] - 1 / zeta) < 1e-12)
        #expect(abs(probabilities[1] - pow(2, -0.99) / zeta) < 1e-12)
        let observed = Self.histogram(.zipfian(theta: 0.99))
        let (statistic, df) = Self.chiSquare(observed, probabilities)
        let critical = Self.chiSquareCritical(df: df)
        print("zipfian θ=0.99 over 1000 items, 1M draws: χ² = \(statistic), df = \(df), 1% critical = \(critical); item 0 drew \(observed[0])")
        #expect(statistic < critical)
    }

    @Test func zipfianIsCloseToTheIdealZipfLaw() {
        // YCSB's generator (Gray et al.) approximates 1/(i+1)^θ / ζ: exact for items 0 and 1, item 2
        // is 17% too likely, the tail about 3.5% too unlikely. Total variation distance 0.0161.
        let generator = ZipfianGenerator(items: Self.items, theta: 0.99)
        var distance = 0.0
        for item in UInt64(0)..<Self.items {
            let ideal = 1 / pow(Double(item + 1), 0.99) / generator.zetan
            distance += abs(generator.probability(of: item) - ideal) / 2
        }
        print("zipfian θ=0.99 over 1000 items: total variation distance to the ideal Zipf law \(distance)")
        #expect(abs(distance - 0.0161) < 0.0001)
    }

    @Test func zetaApproximationForLargeSpaces() {
        // Euler–Maclaurin above 10⁷ items against YCSB's precomputed ζ(10¹⁰, 0.99).
        let zeta = ZipfianGenerator.zeta(10_000_000_000, theta: 0.99)
        #expect(abs(zeta - 26.46902820178302) < 1e-6)
    }

    @Test func hotspotMatchesItsDefinition() {
        // 20% of the items take 80% of the requests, uniformly within each set.
        let observed = Self.histogram(.hotspot(hotSetFraction: 0.2, hotOperationFraction: 0.8))
        let probabilities = (0..<Int(Self.items)).map { $0 < 200 ? 0.8 / 200 : 0.2 / 800 }
        let (statistic, df) = Self.chiSquare(observed, probabilities)
        print("hotspot 0.2/0.8: χ² = \(statistic), df = \(df)")
        #expect(statistic < Self.chiSquareCritical(df: df))
    }

    @Test func latestMatchesItsDefinition() {
        // The newest item (count − 1) is the Zipf head, going back in time.
        let generator = ZipfianGenerator(items: Self.items, theta: 0.99)
        let observed = Self.histogram(.latest(theta: 0.99))
        let probabilities = (0..<Self.items).map { generator.probability(of: Self.items - 1 - $0) }
        let (statistic, df) = Self.chiSquare(observed, probabilities)
        print("latest θ=0.99: χ² = \(statistic), df = \(df)")
        #expect(observed[999] > observed[0])
        #expect(statistic < Self.chiSquareCritical(df: df))
    }

    @Test func exponentialMatchesItsDefinition() {
        // YCSB defaults: 95% of the requests in the first 85.7% of the items, density ∝ e^(−γk).
        let fraction = 0.8571428571
        let gamma = -log(1 - 0.95) / (Double(Self.items) * fraction)
        let normaliser = 1 - exp(-gamma * Double(Self.items))
        let probabilities = (0..<Int(Self.items)).map { k in
            (exp(-gamma * Double(k)) - exp(-gamma * Double(k + 1))) / normaliser
        }
        let observed = Self.histogram(.exponential(percentile: 95, fraction: fraction))
        let (statistic, df) = Self.chiSquare(observed, probabilities)
        print("exponential 95%/0.857: χ² = \(statistic), df = \(df)")
        #expect(statistic < Self.chiSquareCritical(df: df))
    }

    @Test func uniformMatchesItsDefinition() {
        let observed = Self.histogram(.uniform)
        let (statistic, df) = Self.chiSquare(observed, [Double](repeating: 1 / Double(Self.items), count: Int(Self.items)))
        print("uniform: χ² = \(statistic), df = \(df)")
        #expect(statistic < Self.chiSquareCritical(df: df))
    }

    @Test func scrambledZipfianSpreadsTheHeadWithYCSBsHash() {
        // The hottest item is FNV(0) mod count: YCSB's scrambling of the Zipf head.
        let observed = Self.histogram(.scrambledZipfian(theta: 0.99), count: 1_000)
        let hottest = observed.indices.max { observed[$0] < observed[$1] }
        #expect(hottest == Int(KeySampler.fnvHash64(0) % 1_000))
    }

    @Test func sequentialWrapsAndDrawsAreDeterministic() {
        var sampler = KeySampler(.sequential, count: 3)
        var random = SeededGenerator(seed: 1)
        let values = (0..<7).map { _ in sampler.next(&random) }
        #expect(values == [0, 1, 2, 0, 1, 2, 0].map { KeyChoice.item($0) })
        #expect(Self.histogram(.zipfian(theta: 0.9), seed: 7) == Self.histogram(.zipfian(theta: 0.9), seed: 7))
    }

    @Test func weightedListWithTail() {
        let entries = [WeightedKey(key: .init("a"), share: 0.5), WeightedKey(key: .init("b"), share: 0.25)]
        var sampler = KeySampler(.weighted(entries: entries, tail: .uniform), count: 100)
        var random = SeededGenerator(seed: 3)
        var a = 0, b = 0, tail = 0
        for _ in 0..<100_000 {
            switch sampler.next(&random) {
            case .explicit(0): a += 1
            case .explicit(1): b += 1
            default: tail += 1
            }
        }
        #expect(abs(Double(a) / 100_000 - 0.5) < 0.01)
        #expect(abs(Double(b) / 100_000 - 0.25) < 0.01)
        #expect(abs(Double(tail) / 100_000 - 0.25) < 0.01)
    }
}
