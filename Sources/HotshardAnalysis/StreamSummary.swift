import CPrefetch
import HotshardProtocols

/// Space-Saving top-k (Metwally, Agrawal & El Abbadi, 2005) as a stream summary: counters
/// grouped in buckets of equal count, so that an increment is O(1).
///
/// The buckets exist only to find the smallest count when a key must be evicted, so they are built
/// at the first eviction, not kept from the start: until the summary is full an increment is a
/// lookup and an add. Keeping them cost every increment three or four random cache lines (the
/// neighbours in its bucket's list), and a load run, which tracks every key it can name, never
/// evicts. Each counter remembers its last increment, so the lists are built in the order the
/// eager structure would have had (most recent first among equal counts): evictions and results
/// are the same either way.
///
/// Guarantees, for a stream of N increments and capacity m: every key with true count > N/m is
/// tracked; a tracked key's `count` overestimates its true count by at most its `error`
/// (`count − error ≤ true ≤ count`); while no more than m distinct keys were seen every error is 0.
struct StreamSummary {
    struct Counter {
        var key: Key
        var count: Int
        var error: Int
        var bucket: Int32
        var previous: Int32
        var next: Int32
        /// When the count last changed (increments so far): orders equal counts when the buckets are built.
        var lastIncrement: Int
        /// The key's entry in the analyzer's candidate tier (its full statistics), -1 when it has
        /// none. Kept here, beside the count every increment reads, so that finding a key's
        /// statistics costs no further lookup; it fills the padding after the three links.
        var candidate: Int32 = -1
    }

    private struct Bucket {
        var count: Int
        var head: Int32
        var previous: Int32
        var next: Int32
    }

    let capacity: Int
    private(set) var counters: [Counter] = []
    private var buckets: [Bucket] = []
    private var freeBuckets: [Int32] = []
    private var index: KeySlotTable
    /// The bucket with the smallest count (where the eviction victim is).
    private var minBucket: Int32 = -1
    /// Keys replaced so far: 0 means every count is exact.
    private(set) var evictions = 0
    /// Increments so far.
    private var increments = 0
    /// True once the buckets are built (at the first eviction); before, counters are in no list.
    private var structured = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        counters.reserveCapacityOnHugePages(min(self.capacity, 1 << 20))
        index = KeySlotTable(minimumCapacity: min(self.capacity, 1 << 16))
    }

    var count: Int { counters.count }

    /// Starts loading what `increment` of a key with `hash` reads first (its index entry).
    @inline(__always)
    func prefetchIndex(hash: UInt64) {
        index.prefetch(hash: hash)
    }

    /// Starts loading the counter of the key with `hash` (once its index entry is in cache) and returns
    /// its probable slot, for the caller to prefetch per-slot data of its own.
    @inline(__always)
    func prefetchCounter(hash: UInt64) -> Int? {
        guard let slot = index.probableSlot(hash: hash), Int(slot) < counters.count else { return nil }
        counters.withUnsafeBufferPointer { if let base = $0.baseAddress { hotshard_prefetch(base + Int(slot)) } }
        return Int(slot)
    }

    /// Starts loading the counter of the slot the next eviction will take (the head of the smallest
    /// count's list) and returns that slot, for the caller to prefetch per-slot data of its own; nil
    /// while the summary is not full.
    /// On a key space wider than the capacity most new keys evict one: called after an eviction,
    /// it has the next one's memory on its way a few messages ahead.
    @inline(__always)
    func prefetchNextVictim() -> Int? {
        guard counters.count >= capacity, minBucket >= 0 else { return nil }
        let victim = Int(buckets[Int(minBucket)].head)
        guard victim >= 0, victim < counters.count else { return nil }
        counters.withUnsafeBufferPointer { if let base = $0.baseAddress { hotshard_prefetch(base + victim) } }
        return victim
    }

    /// Counts one occurrence of `key`; returns its slot and, when the key took over an evicted
    /// slot, true (the caller resets per-slot statistics, and releases the slot's `candidate` entry,
    /// which still names the evicted key's).
    @inline(__always)
    mutating func increment(_ key: Key) -> (slot: Int, replaced: Bool) {
        increments += 1
        if let slot = index.slot(hash: key.hash64, matches: { counters[Int($0)].key == key }) {
            if structured {
                bump(slot)
            } else {
                counters[Int(slot)].count += 1
                counters[Int(slot)].lastIncrement = increments
            }
            return (Int(slot), false)
        }
        if counters.count < capacity {
            let slot = Int32(counters.count)
            counters.append(
                Counter(
                    key: key, count: 1, error: 0, bucket: -1, previous: -1, next: -1,
                    lastIncrement: increments))
            index.insert(hash: key.hash64, slot: slot)
            return (Int(slot), false)
        }
        if !structured { buildBuckets() }
        // Replace the key with the smallest count: the newcomer inherits that count as its error.
        let victim = buckets[Int(minBucket)].head
        let minimum = counters[Int(victim)].count
        index.remove(hash: counters[Int(victim)].key.hash64, slot: victim)
        counters[Int(victim)].key = key
        counters[Int(victim)].error = minimum
        index.insert(hash: key.hash64, slot: victim)
        evictions += 1
        bump(victim)
        return (Int(victim), true)
    }

    /// The candidate-tier entry of the key in `slot` (-1: none); see `Counter.candidate`.
    @inline(__always)
    func candidate(of slot: Int) -> Int32 { counters[slot].candidate }

    @inline(__always)
    mutating func setCandidate(_ entry: Int32, of slot: Int) { counters[slot].candidate = entry }

    /// The count of the key in `slot`.
    @inline(__always)
    func count(of slot: Int) -> Int { counters[slot].count }

    /// The smallest tracked count (0 while the summary is not full): the bound for untracked keys.
    var minimumCount: Int {
        guard counters.count >= capacity else { return 0 }
        guard structured, minBucket >= 0 else { return counters.lazy.map(\.count).min() ?? 0 }
        return buckets[Int(minBucket)].count
    }

    /// Slots from the highest count down.
    func slotsByCount() -> [Int] {
        // Compared where they lie, not copied out (with their keys) for every comparison.
        counters.withUnsafeBufferPointer { counters in
            counters.indices.sorted {
                let x = counters[$0].count, y = counters[$1].count
                return x != y ? x > y : counters[$0].key < counters[$1].key
            }
        }
    }

    /// The `limit` slots of highest count, highest first (ties by key), in one pass over the
    /// counters: O(n log limit) where `slotsByCount` sorts them all. For a live view once a second.
    func slotsByCount(limit: Int) -> [Int] {
        guard limit > 0 else { return [] }
        guard limit < counters.count else { return slotsByCount() }
        return counters.withUnsafeBufferPointer { counters in
            func before(_ a: Int, _ b: Int) -> Bool {
                let x = counters[a].count, y = counters[b].count
                return x != y ? x > y : counters[a].key < counters[b].key
            }
            // The best `limit` so far, best first; a candidate enters only above the last.
            var best: [Int] = []
            best.reserveCapacity(limit + 1)
            for slot in counters.indices {
                if best.count == limit, let last = best.last, !before(slot, last) { continue }
                var position = best.count
                while position > 0 && before(slot, best[position - 1]) { position -= 1 }
                best.insert(slot, at: position)
                if best.count > limit { best.removeLast() }
            }
            return best
        }
    }

    // MARK: Buckets

    /// The buckets and their lists, from the counts: ascending counts, and in each list the most
    /// recently incremented counter first (as pushing on every increment would have left them).
    private mutating func buildBuckets() {
        let order = counters.withUnsafeBufferPointer { counters in
            counters.indices.sorted {
                let x = counters[$0], y = counters[$1]
                return x.count != y.count ? x.count < y.count : x.lastIncrement < y.lastIncrement
            }
        }
        var last: Int32 = -1
        for slot in order {
            let count = counters[slot].count
            if last < 0 || buckets[Int(last)].count != count {
                let bucket = newBucket(count: count)
                buckets[Int(bucket)].previous = last
                if last >= 0 { buckets[Int(last)].next = bucket } else { minBucket = bucket }
                last = bucket
            }
            push(Int32(slot), onto: last)
        }
        structured = true
    }

    private mutating func bump(_ slot: Int32) {
        let current = counters[Int(slot)].bucket
        let newCount = buckets[Int(current)].count + 1
        detach(slot)
        let next = buckets[Int(current)].next
        if next >= 0, buckets[Int(next)].count == newCount {
            push(slot, onto: next)
            removeIfEmpty(current)
        } else if buckets[Int(current)].head < 0 {
            // The counter was alone: its bucket simply takes the new count.
            buckets[Int(current)].count = newCount
            push(slot, onto: current)
        } else {
            attach(slot, toBucketWithCount: newCount, after: current)
        }
    }

    /// Puts `slot` in a new bucket with `count`, placed right after bucket `after`.
    private mutating func attach(_ slot: Int32, toBucketWithCount count: Int, after: Int32) {
        let bucket = newBucket(count: count)
        let next = buckets[Int(after)].next
        buckets[Int(bucket)].previous = after
        buckets[Int(bucket)].next = next
        buckets[Int(after)].next = bucket
        if next >= 0 { buckets[Int(next)].previous = bucket }
        push(slot, onto: bucket)
    }

    private mutating func newBucket(count: Int) -> Int32 {
        if let reused = freeBuckets.popLast() {
            buckets[Int(reused)] = Bucket(count: count, head: -1, previous: -1, next: -1)
            return reused
        }
        buckets.append(Bucket(count: count, head: -1, previous: -1, next: -1))
        return Int32(buckets.count - 1)
    }

    private mutating func push(_ slot: Int32, onto bucket: Int32) {
        let head = buckets[Int(bucket)].head
        counters[Int(slot)].bucket = bucket
        counters[Int(slot)].previous = -1
        counters[Int(slot)].next = head
        counters[Int(slot)].count = buckets[Int(bucket)].count
        if head >= 0 { counters[Int(head)].previous = slot }
        buckets[Int(bucket)].head = slot
    }

    private mutating func detach(_ slot: Int32) {
        let counter = counters[Int(slot)]
        if counter.previous >= 0 {
            counters[Int(counter.previous)].next = counter.next
        } else {
            buckets[Int(counter.bucket)].head = counter.next
        }
        if counter.next >= 0 { counters[Int(counter.next)].previous = counter.previous }
    }

    private mutating func removeIfEmpty(_ bucket: Int32) {
        guard buckets[Int(bucket)].head < 0 else { return }
        let previous = buckets[Int(bucket)].previous, next = buckets[Int(bucket)].next
        if previous >= 0 { buckets[Int(previous)].next = next } else { minBucket = next }
        if next >= 0 { buckets[Int(next)].previous = previous }
        freeBuckets.append(bucket)
    }

    /// Checks the structure's invariants (tests call it after every operation).
    func checkInvariants() -> Bool {
        guard structured else {
            return minBucket < 0 && index.count == counters.count
                && counters.allSatisfy { $0.count >= 1 && $0.bucket < 0 && $0.lastIncrement <= increments }
        }
        var seen = 0
        var cursor = minBucket
        var lastCount = Int.min
        while cursor >= 0 {
            let bucket = buckets[Int(cursor)]
            guard bucket.count > lastCount, bucket.head >= 0 else { return false }
            lastCount = bucket.count
            var slot = bucket.head
            while slot >= 0 {
                guard counters[Int(slot)].count == bucket.count, counters[Int(slot)].bucket == cursor else { return false }
                seen += 1
                slot = counters[Int(slot)].next
            }
            cursor = bucket.next
        }
        return seen == counters.count && index.count == counters.count
    }
}
