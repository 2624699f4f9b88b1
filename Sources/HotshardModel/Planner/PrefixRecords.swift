import Foundation
import HotshardConcurrency

/// Owners of many keys among nodes 0…n−1 for any n up to what has been scanned, for schemes whose
/// owner among the first n nodes is the last of a per-key increasing sequence of "records" below n,
/// as the planner asks while it searches node counts:
/// - uniform-weight rendezvous: the node indices where the running best draw over node0, node1, …
///   rises (the planner's node sets are prefixes of one another). Scanning to M nodes costs
///   keys × M draws once (split over the cores);
/// - jump hash: the buckets its loop visits (Lamping & Veach's b values), about ln M per key.
/// An owner lookup costs O(records) — about ln M per key. Extending to more nodes continues the
/// scan where it stopped.
///
/// Equal to `RendezvousScheme(servers: ServerSpec.numbered(n)).assign` and to `JumpScheme`'s
/// buckets (PlannerTests checks both).
final class PrefixRecords {
    enum Kind: Sendable { case rendezvous, jump }

    /// Keys `range` of the whole; each chunk is scanned by one thread at a time.
    struct Chunk {
        var range: Range<Int>
        /// Rendezvous: the best draw so far; jump: the generator state.
        var bestDraw: [UInt64]
        var bestNode: [Int32]
        /// Jump: the next bucket the loop would visit.
        var next: [Int64] = []
        /// Per scanned segment: each key's best node before the segment, and its records in it.
        var before: [[Int32]] = []
        var offsets: [[Int32]] = []
        var records: [[Int32]] = []
    }

    let hashes: [UInt64]
    let kind: Kind
    private(set) var scanned = 0
    /// Segment s covers nodes `boundaries[s]..<boundaries[s + 1]`.
    private var boundaries: [Int] = [0]
    private var chunks: [Chunk]

    init(hashes: [UInt64], kind: Kind) {
        self.hashes = hashes
        self.kind = kind
        let count = max(1, min(Parallel.width * 4, hashes.count / 4096))
        let size = (hashes.count + count - 1) / max(count, 1)
        chunks = stride(from: 0, to: max(hashes.count, 1), by: max(size, 1)).map { start in
            let range = start..<min(start + size, hashes.count)
            return Chunk(
                range: range, bestDraw: [UInt64](repeating: 0, count: range.count),
                bestNode: [Int32](repeating: -1, count: range.count))
        }
    }

    /// Scans node0…node{nodes−1} (nothing when already scanned).
    func extend(to nodes: Int) {
        guard nodes > scanned else { return }
        let seeds = kind == .rendezvous ? RendezvousScheme(servers: ServerSpec.numbered(nodes)).seeds : []
        let low = scanned, kind = self.kind
        let hashes = self.hashes
        Parallel.update(&chunks) { chunk in
            if kind == .rendezvous {
                chunk.scan(hashes: hashes, seeds: seeds, from: low)
            } else {
                chunk.jump(hashes: hashes, from: low, to: nodes)
            }
        }
        scanned = nodes
        boundaries.append(nodes)
    }

    /// Each key's owner among node0…node{nodes−1} (scanning that far first).
    func owners(nodes: Int) -> [Int] {
        var result = [Int](repeating: 0, count: hashes.count)
        forEachOwner(nodes: nodes) { key, owner in result[key] = owner }
        return result
    }

    /// Calls `body(key index, owner among node0…node{nodes−1})` for every key in index order
    /// (scanning that far first).
    @inline(__always)
    func forEachOwner(nodes: Int, _ body: (Int, Int) -> Void) {
        extend(to: nodes)
        // The segment holding node nodes−1.
        var segment = 0
        while boundaries[segment + 1] < nodes { segment += 1 }
        for chunk in chunks {
            let before = chunk.before[segment], offsets = chunk.offsets[segment], records = chunk.records[segment]
            for local in 0..<chunk.range.count {
                var owner = before[local]
                var r = Int(offsets[local])
                let end = Int(offsets[local + 1])
                while r < end && Int(records[r]) < nodes { owner = records[r]; r += 1 }
                body(chunk.range.lowerBound + local, Int(max(owner, 0)))
            }
        }
    }
}

extension PrefixRecords.Chunk {
    /// Continues every key's jump-hash loop over buckets `from..<to`, recording each bucket visited.
    mutating func jump(hashes: [UInt64], from low: Int, to high: Int) {
        if next.isEmpty { next = [Int64](repeating: 0, count: range.count) }
        var before = [Int32](repeating: -1, count: range.count)
        var offsets = [Int32](repeating: 0, count: range.count + 1)
        var records: [Int32] = []
        records.reserveCapacity(range.count * 2)
        let limit = Int64(high)
        for local in 0..<range.count {
            var key = low == 0 ? hashes[range.lowerBound + local] : bestDraw[local]
            var j = low == 0 ? 0 : next[local]
            var b = bestNode[local]
            before[local] = b
            while j < limit {
                b = Int32(truncatingIfNeeded: j)
                records.append(b)
                key = key &* 2_862_933_555_777_941_757 &+ 1
                j = Int64(Double(j + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
            }
            bestDraw[local] = key
            bestNode[local] = b
            next[local] = j
            offsets[local + 1] = Int32(truncatingIfNeeded: records.count)
        }
        self.before.append(before)
        self.offsets.append(offsets)
        self.records.append(records)
    }

    /// Continues every key's scan over seeds `from..<seeds.count`, recording where the best rises;
    /// four keys at a time (`RendezvousScheme.scan`).
    mutating func scan(hashes: [UInt64], seeds: [UInt64], from low: Int) {
        var before = [Int32](repeating: -1, count: range.count)
        var offsets = [Int32](repeating: 0, count: range.count + 1)
        var records: [Int32] = []
        records.reserveCapacity(range.count * 4)
        let high = seeds.count
        var events = [Int32](repeating: 0, count: 4 * max(high - low, 1))
        var lanes = RendezvousLanes(seeds: seeds)
        var local = 0
        while local < range.count {
            let count = min(4, range.count - local)
            lanes.load(hashes, from: range.lowerBound + local, lanes: count)
            for lane in 0..<4 {
                lanes.best[lane] = lane < count ? bestDraw[local + lane] : 0
                lanes.node[lane] = lane < count ? bestNode[local + lane] : -1
                if lane < count { before[local + lane] = lanes.node[lane] }
            }
            var start = low
            if start == 0 {
                // Node 0 always starts the scan (its draw is the first best).
                lanes.startAtNodeZero()
                start = 1
            }
            let rises = RendezvousScheme.scan(from: start, lanes: &lanes, events: &events)
            for lane in 0..<count {
                if low == 0 { records.append(0) }
                for event in events[0..<rises] where Int(event & 3) == lane { records.append(event >> 2) }
                bestDraw[local + lane] = lanes.best[lane]
                bestNode[local + lane] = lanes.node[lane]
                offsets[local + lane + 1] = Int32(truncatingIfNeeded: records.count)
            }
            local += count
        }
        self.before.append(before)
        self.offsets.append(offsets)
        self.records.append(records)
    }
}
