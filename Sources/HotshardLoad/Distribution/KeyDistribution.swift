#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HotshardProtocols

/// How a request chooses its item (an index into the key space, 0..<count), as YCSB defines
/// its request distributions. Every case is constant time per draw except `weighted`
/// (O(log entries)).
public enum KeyDistribution: Sendable {
    case uniform
    /// YCSB `ZipfianGenerator`: item 0 hottest.
    case zipfian(theta: Double)
    /// YCSB `ScrambledZipfianGenerator`: Zipf popularity spread over the space by FNV-64.
    case scrambledZipfian(theta: Double)
    /// YCSB `HotspotIntegerGenerator`: `hotOperationFraction` of requests go uniformly to the
    /// first `hotSetFraction` of the items, the rest uniformly to the others.
    case hotspot(hotSetFraction: Double, hotOperationFraction: Double)
    /// YCSB `SkewedLatestGenerator`: the newest item (count − 1) hottest, Zipf(θ) going back in time.
    case latest(theta: Double)
    /// Items in order, wrapping.
    case sequential
    /// YCSB `ExponentialGenerator`: item k with density ∝ e^(−γk), γ = −ln(1 − percentile/100)/(fraction·count):
    /// `percentile`% of requests fall in the first `fraction` of the items. Draws ≥ count are redrawn.
    case exponential(percentile: Double, fraction: Double)
    /// Explicit keys with their shares, and a tail distribution over the key space for the rest
    /// (what `analyze --emit-profile` writes).
    indirect case weighted(entries: [WeightedKey], tail: KeyDistribution?)

    /// The YAML name of the distribution.
    public var name: String {
        switch self {
        case .uniform: "uniform"
        case .zipfian: "zipfian"
        case .scrambledZipfian: "scrambled-zipfian"
        case .hotspot: "hotspot"
        case .latest: "latest"
        case .sequential: "sequential"
        case .exponential: "exponential"
        case .weighted: "weighted"
        }
    }
}

/// One explicit key of a weighted distribution.
public struct WeightedKey: Sendable, Equatable {
    public var key: Key
    public var share: Double
    public init(key: Key, share: Double) {
        self.key = key
        self.share = share
    }
}

/// What a draw picked: an item of the key space, or an explicit key of a weighted list.
public enum KeyChoice: Sendable, Equatable {
    case item(UInt64)
    case explicit(Int)
}

/// A `KeyDistribution` made ready to draw: precomputed zeta constants and cumulative shares.
public struct KeySampler: Sendable {
    private enum Kind: Sendable {
        case uniform
        case zipfian(ZipfianGenerator)
        case scrambled(ZipfianGenerator)
        case hotspot(hotItems: UInt64, hotFraction: Double)
        case latest(ZipfianGenerator)
        case sequential
        case exponential(gamma: Double)
        case weighted(cumulative: [Double], tail: Box?)
    }

    /// Indirection for the weighted tail (a sampler inside a sampler).
    final class Box: Sendable {
        let sampler: KeySampler
        init(_ sampler: KeySampler) { self.sampler = sampler }
    }

    public let count: UInt64
    private let kind: Kind
    private var sequence: UInt64 = 0

    /// YCSB's constants for its scrambled generator: a 10¹⁰-item space and its ζ at θ = 0.99.
    static let scrambledItemCount: UInt64 = 10_000_000_000
    static let scrambledZetan = 26.46902820178302

    public init(_ distribution: KeyDistribution, count: UInt64) {
        self.count = max(1, count)
        let count = self.count
        switch distribution {
        case .uniform: kind = .uniform
        case .zipfian(let theta): kind = .zipfian(ZipfianGenerator(items: count, theta: theta))
        case .scrambledZipfian(let theta):
            let zetan = abs(theta - 0.99) < 1e-12 ? Self.scrambledZetan : nil
            kind = .scrambled(ZipfianGenerator(items: Self.scrambledItemCount, theta: theta, zetan: zetan))
        case .hotspot(let hotSet, let hotOps):
            kind = .hotspot(hotItems: UInt64(Double(count) * hotSet), hotFraction: hotOps)
        case .latest(let theta): kind = .latest(ZipfianGenerator(items: count, theta: theta))
        case .sequential: kind = .sequential
        case .exponential(let percentile, let fraction):
            kind = .exponential(gamma: -log(1 - percentile / 100) / (Double(count) * fraction))
        case .weighted(let entries, let tail):
            var running = 0.0
            var cumulative: [Double] = []
            cumulative.reserveCapacity(entries.count)
            for entry in entries {
                running += entry.share
                cumulative.append(running)
            }
            kind = .weighted(cumulative: cumulative, tail: tail.map { Box(KeySampler($0, count: count)) })
        }
    }

    /// One draw. Deterministic for a given generator state.
    public mutating func next(_ random: inout SeededGenerator) -> KeyChoice {
        switch kind {
        case .uniform:
            return .item(random.next(below: count))
        case .zipfian(let generator):
            return .item(generator.next(&random))
        case .scrambled(let generator):
            return .item(Self.fnvHash64(generator.next(&random)) % count)
        case .hotspot(let hotItems, let hotFraction):
            let coldItems = count - hotItems
            if random.nextDouble() < hotFraction || coldItems == 0 {
                return .item(random.next(below: max(1, hotItems)))
            }
            return .item(hotItems + random.next(below: coldItems))
        case .latest(let generator):
            return .item(count - 1 - generator.next(&random))
        case .sequential:
            let value = sequence % count
            sequence &+= 1
            return .item(value)
        case .exponential(let gamma):
            while true {
                let value = -log(random.nextOpenDouble()) / gamma
                if value < Double(count) { return .item(UInt64(value)) }
            }
        case .weighted(let cumulative, let tail):
            let u = random.nextDouble()
            // First index whose cumulative share exceeds u.
            var low = 0, high = cumulative.count
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] > u { high = middle } else { low = middle + 1 }
            }
            if low < cumulative.count { return .explicit(low) }
            guard let tail else { return cumulative.isEmpty ? .item(random.next(below: count)) : .explicit(cumulative.count - 1) }
            var sampler = tail.sampler
            let choice = sampler.next(&random)
            return choice
        }
    }

    /// YCSB's `Utils.fnvhash64`: FNV-1a over the 8 little-endian bytes of the value, then `Math.abs`.
    public static func fnvHash64(_ value: UInt64) -> UInt64 {
        var hash: Int64 = Int64(bitPattern: 0xcbf2_9ce4_8422_2325)
        var rest = Int64(bitPattern: value)
        for _ in 0..<8 {
            let octet = rest & 0xff
            rest = rest >> 8
            hash = hash ^ octet
            hash = hash &* 1_099_511_628_211
        }
        return hash == .min ? UInt64(bitPattern: hash) : UInt64(hash.magnitude)
    }
}
