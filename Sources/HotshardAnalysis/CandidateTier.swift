/// The second tier of the analyzer's key table: full `KeyStatistics` (reads and writes, bytes,
/// hits and misses, clients, latency; ~376 bytes each) only for the candidates for the reported top.
///
/// The first tier, `StreamSummary`, counts every tracked key in a compact counter and alone decides
/// the ranking and the error bounds. Keeping full statistics for every tracked key cost ~600 ns a
/// message waiting on memory (issue 21): with tens of thousands of slots they do not fit any cache.
/// Here they live for at most `capacity` keys, few enough to stay in cache.
///
/// A key is promoted while entries are free, or when its count passes the tier's floor (the
/// smallest count among its keys); the entry of the smallest count then goes to it. So every key
/// outside the tier has a count no higher than every key inside it, and the top `capacity` keys
/// by count all have statistics. Each entry remembers the key's count before its statistics began
/// (`since`): its statistics cover exactly its last `count − since` references.
struct CandidateTier {
    let capacity: Int
    /// Per entry: the statistics measured since promotion.
    private(set) var statistics: [KeyStatistics] = []
    /// Per entry: the key's summary count before its statistics began (0: measured from its first).
    private(set) var since: [Int] = []
    /// Per entry: the summary slot of its key (-1 while free).
    private(set) var owners: [Int32] = []
    /// Per entry: the key's summary count at its last reference. In an array of its own so that the
    /// floor is one scan of contiguous memory (8 kB for 1,024 entries), not a walk over the summary.
    private var counts: [Int] = []
    private var free: [Int32] = []
    /// A lower bound on the smallest count among the entries, exact after each scan (counts only
    /// grow, and a promotion replaces the smallest): a key must pass it to be promoted when full.
    private(set) var floor = 0
    /// Every entry before it has a count above `floor`: the next promotion looks for an entry at
    /// the floor from here on, and scans the whole tier again only when it finds none.
    private var cursor = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        let reserved = min(self.capacity, 1 << 16)
        statistics.reserveCapacity(reserved)
        since.reserveCapacity(reserved)
        owners.reserveCapacity(reserved)
        counts.reserveCapacity(reserved)
    }

    /// Entries in use.
    var count: Int { owners.count - free.count }

    /// Notes that the key of `entry` now has `count` references.
    @inline(__always)
    mutating func noteCount(_ count: Int, of entry: Int32) {
        counts[Int(entry)] = count
    }

    /// Gives an entry to the key in summary slot `slot` whose count just became `count`, if it is a
    /// candidate: an entry is free, or `count` passes the floor. Returns the entry and the slot of
    /// the key that lost it (-1: none), whose `candidate` the caller clears; nil when not promoted.
    /// The new entry's statistics are empty and `since` is `count − 1` (the reference being counted
    /// is the first measured).
    @inline(__always)
    mutating func promote(slot: Int, count: Int) -> (entry: Int32, demoted: Int32)? {
        if owners.count < capacity {
            statistics.append(KeyStatistics())
            since.append(count - 1)
            owners.append(Int32(slot))
            counts.append(count)
            return (Int32(owners.count - 1), -1)
        }
        if let entry = free.popLast() {
            take(entry, slot: slot, count: count)
            return (entry, -1)
        }
        guard count > floor else { return nil }
        return promoteOverFloor(slot: slot, count: count)
    }

    /// The full tier's slow path: finds an entry of the smallest count; hands it over when `count`
    /// beats it. On a wide, flat key space nearly every reference evicts a summary key and the new
    /// one passes the floor, and many entries share the smallest count: each promotion took the
    /// first of them after scanning all (1.8 % of a replay's samples). From the
    /// cursor on, the next one is usually a step away, and a whole scan comes only when the floor rises.
    private mutating func promoteOverFloor(slot: Int, count: Int) -> (entry: Int32, demoted: Int32)? {
        var smallest = -1
        // Counts only grow, and entries are taken only at the floor: those before the cursor are above it.
        while cursor < counts.count {
            if counts[cursor] <= floor {
                smallest = cursor
                break
            }
            cursor += 1
        }
        if smallest < 0 {
            var minimum = Int.max
            for (index, value) in counts.enumerated() where value < minimum {
                minimum = value
                smallest = index
            }
            floor = minimum
            cursor = smallest
        }
        guard count > floor else { return nil }
        let demoted = owners[smallest]
        take(Int32(smallest), slot: slot, count: count)
        return (Int32(smallest), demoted)
    }

    private mutating func take(_ entry: Int32, slot: Int, count: Int) {
        let index = Int(entry)
        if count <= floor {
            // A freed entry went to a key at or below the floor: the floor and the cursor follow it.
            floor = count
            cursor = min(cursor, index)
        }
        statistics[index].reset()
        since[index] = count - 1
        owners[index] = Int32(slot)
        counts[index] = count
    }

    /// Frees `entry` (its key's summary slot went to another key).
    mutating func release(_ entry: Int32) {
        owners[Int(entry)] = -1
        // A free entry is reused before any scan; until then its count must not hold the floor up.
        counts[Int(entry)] = 0
        free.append(entry)
    }

    /// Updates the statistics of `entry` in place.
    @inline(__always)
    mutating func withStatistics<Result>(of entry: Int32, _ body: (inout KeyStatistics) -> Result) -> Result {
        body(&statistics[Int(entry)])
    }
}
