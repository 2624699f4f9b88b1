import CPrefetch
import HotshardProtocols

/// Space-Saving top-k (Metwally, Agrawal & El Abbadi, 2005) as a stream summary: counters
/// grouped in buckets of equal count, so that an increment is O(1).
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
    /// slot, true (the caller resets per-slot statistics).
    @inline(__always)
    mutating func increment(_ key: Key) -> (slot: Int, replaced: Bool) {
        if let slot = index.slot(hash: key.hash64, matches: { counters[Int($0)].key == key }) {
            bump(slot)
            return (Int(slot), false)
        }
        if counters.count < capacity {
            let slot = Int32(counters.count)
            counters.append(Counter(key: key, count: 0, error: 0, bucket: -1, previous: -1, next: -1))
            index.insert(hash: key.hash64, slot: slot)
            attach(slot, toBucketWithCount: 1, after: -1)
            return (Int(slot), false)
        }
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

    /// The smallest tracked count (0 while the summary is not full): the bound for untracked keys.
    var minimumCount: Int {
        guard counters.count >= capacity, minBucket >= 0 else { return 0 }
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

    // MARK: Buckets

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

    /// Puts `slot` in a new bucket with `count` placed right after bucket `after` (-1: at the front).
    private mutating func attach(_ slot: Int32, toBucketWithCount count: Int, after: Int32) {
        if after < 0, minBucket >= 0, buckets[Int(minBucket)].count == count {
            push(slot, onto: minBucket)
            return
        }
        let bucket = newBucket(count: count)
        if after < 0 {
            buckets[Int(bucket)].next = minBucket
            if minBucket >= 0 { buckets[Int(minBucket)].previous = bucket }
            minBucket = bucket
        } else {
            let next = buckets[Int(after)].next
            buckets[Int(bucket)].previous = after
            buckets[Int(bucket)].next = next
            buckets[Int(after)].next = bucket
            if next >= 0 { buckets[Int(next)].previous = bucket }
        }
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
