import CRendezvous
import Foundation
import HotshardConcurrency
import HotshardProtocols

/// Weighted rendezvous (highest random weight) hashing. For key hash k = xxHash64(key) and node
/// seed s_i = xxHash64("host:port"), the node's draw is h = (splitmix64(k ⊕ s_i) + 0.5) / 2^64 in
/// (0, 1) and its score is `−w_i / ln(h)` (Schindelhauer & Schomaker's logarithmic method); the
/// highest score wins, so node i's expected share is exactly `w_i / Σw`. O(N) per key.
public struct RendezvousScheme: PlacementScheme {
    /// The servers as `host:port`, in the order given.
    public let nodeNames: [String]
    let seeds: [UInt64]
    let weights: [Double]
    let uniformWeights: Bool
    /// `rendezvous`.
    public var name: String { "rendezvous" }
    /// `xxhash64`: shared with Envoy's schemes, jump and bounded loads.
    public var hashFamily: String { "xxhash64" }

    /// Each server seeded by xxHash64 of "host:port" and weighted by its weight.
    public init(servers: [ServerSpec]) {
        nodeNames = servers.map(\.description)
        seeds = servers.map { XXHash64.hash(Array($0.plainName.utf8)) }
        weights = servers.map { Double($0.weight) }
        uniformWeights = Set(servers.map(\.weight)).count <= 1
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// xxHash64 of the key (seed 0).
    public func keyHash(_ key: Key) -> UInt64 { key.hashInput { XXHash64.hash($0) } }

    /// The node with the highest score for the hash (the largest draw when weights are equal). O(N).
    public func node(forHash hash: UInt64) -> Int {
        var best = 0
        if uniformWeights {
            // −1/ln(h) is increasing in h: the largest draw wins, no logarithm needed.
            guard !seeds.isEmpty else { return 0 }
            var bestDraw = Self.mix(hash ^ seeds[0])
            for i in seeds.indices.dropFirst() {
                let draw = Self.mix(hash ^ seeds[i])
                if draw > bestDraw { bestDraw = draw; best = i }
            }
            return best
        }
        var bestScore = -Double.infinity
        for i in seeds.indices {
            let h = (Double(Self.mix(hash ^ seeds[i]) >> 11) + 0.5) / 9_007_199_254_740_992.0
            let score = -weights[i] / log(h)
            if score > bestScore { bestScore = score; best = i }
        }
        return best
    }

    /// Places many keys, large batches split across the cores: with equal weights four keys' draws
    /// over all nodes at a time (`scan`, no logarithm); weighted, each key as `node(forHash:)`.
    public func assign(hashes: [UInt64], rates: [Double]) -> [Int] {
        guard !seeds.isEmpty else { return hashes.map { node(forHash: $0) } }
        let uniform = uniformWeights
        let work = hashes.count * seeds.count
        let chunks = work < 4_000_000 ? 1 : min(hashes.count, Parallel.width * 4)
        let size = (hashes.count + chunks - 1) / max(chunks, 1)
        let seeds = self.seeds
        // Each chunk places its own range of keys; the ranges are joined in order.
        let placed = Parallel.map(chunks) { chunk -> [Int] in
            let keys = min(chunk * size, hashes.count)..<min((chunk + 1) * size, hashes.count)
            // Weighted: the logarithmic scores of `node(forHash:)`, per key.
            guard uniform else { return keys.map { node(forHash: hashes[$0]) } }
            // Four keys' draws over all nodes at a time, in C.
            var out = [Int](repeating: 0, count: keys.count)
            var lanes = RendezvousLanes(seeds: seeds)
            var k = keys.lowerBound
            while k < keys.upperBound {
                let count = min(4, keys.upperBound - k)
                lanes.start(hashes, from: k, lanes: count)
                _ = Self.scan(from: 1, lanes: &lanes)
                for lane in 0..<count { out[k - keys.lowerBound + lane] = Int(lanes.node[lane]) }
                k += count
            }
            return out
        }
        return chunks == 1 ? placed[0] : Array(placed.joined())
    }

    /// Continues four keys' uniform-weight scans over nodes `from..<lanes.seeds.count` (`from` ≥ 1): a
    /// node whose draw `mix(hash ^ seed)` is strictly above the key's best so far takes over the
    /// lane's best draw and node, nodes in order — the loop of `node(forHash:)`, run by CRendezvous
    /// four keys at a time. Returns the number of rises; `events`, when given, receives each rise
    /// as node × 4 + lane, in node order (it is grown to the 4 × (seeds − from) values the C
    /// scan may write). The arrays are handed to C as they are, checked to hold four lanes first.
    static func scan(from: Int, lanes: inout RendezvousLanes, events: inout [Int32]) -> Int {
        let count = lanes.seeds.count
        guard from < count, lanes.isComplete else { return 0 }
        let needed = 4 * (count - from)
        if events.count < needed { events = [Int32](repeating: 0, count: needed) }
        return hotshard_rendezvous_scan4(lanes.seeds, from, count, lanes.hashes, &lanes.best, &lanes.node, &events)
    }

    /// `scan(from:lanes:events:)` without recording the rises.
    static func scan(from: Int, lanes: inout RendezvousLanes) -> Int {
        let count = lanes.seeds.count
        guard from < count, lanes.isComplete else { return 0 }
        return hotshard_rendezvous_scan4(lanes.seeds, from, count, lanes.hashes, &lanes.best, &lanes.node, nil)
    }

    /// `w_i / Σw`, exactly, as the logarithmic method guarantees.
    public func shares() -> [Double] {
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
