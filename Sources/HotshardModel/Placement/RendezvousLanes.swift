/// Four keys' uniform-weight rendezvous scans in flight: each lane's key hash, best draw so far
/// and the node that drew it, in the layout CRendezvous reads and updates (`RendezvousScheme.scan`).
/// Plain arrays of four, made once per batch of keys and reused for every group of four.
struct RendezvousLanes {
    /// The nodes' seeds, this batch's own copy: threads scanning at once hand C their own array,
    /// so its reference count, touched on every call, is not one cache line they all fight over.
    let seeds: [UInt64]
    /// Each lane's key hash; a lane without a key repeats the last key's (its result is ignored).
    var hashes = [UInt64](repeating: 0, count: 4)
    /// Each lane's largest draw so far.
    var best = [UInt64](repeating: 0, count: 4)
    /// The node of each lane's largest draw (−1: none yet).
    var node = [Int32](repeating: -1, count: 4)

    /// Lanes for scans over `seeds` (copied).
    init(seeds: [UInt64]) {
        self.seeds = seeds.map { $0 }
    }

    /// True while every array holds the four lanes the C scan reads and writes.
    var isComplete: Bool { hashes.count >= 4 && best.count >= 4 && node.count >= 4 }

    /// Takes `keyHashes[from..<from + lanes]` (1…4 of them) into the lanes, the last repeated into
    /// unused lanes; the best draws and nodes are left for the caller to set.
    @inline(__always)
    mutating func load(_ keyHashes: [UInt64], from: Int, lanes: Int) {
        let last = keyHashes[from + lanes - 1]
        for lane in 0..<4 { hashes[lane] = lane < lanes ? keyHashes[from + lane] : last }
    }

    /// Node 0's draw in every lane: where every scan starts.
    @inline(__always)
    mutating func startAtNodeZero() {
        guard let seed = seeds.first else { return }
        for lane in 0..<4 {
            best[lane] = RendezvousScheme.mix(hashes[lane] ^ seed)
            node[lane] = 0
        }
    }

    /// `load` then `startAtNodeZero`: a fresh scan of up to four keys.
    @inline(__always)
    mutating func start(_ keyHashes: [UInt64], from: Int, lanes: Int) {
        load(keyHashes, from: from, lanes: lanes)
        startAtNodeZero()
    }
}
