import HotshardProtocols

/// Space-Saving top-k (Metwally, Agrawal & El Abbadi, 2005) as a stream summary: counters
/// grouped in buckets of equal count, so that an increment is O(1).
///
/// Tier 1 of the analyzer (issue 21): every tracked key has a compact counter, a 32-byte `Tally`
/// (its count, error bound, bucket links and candidate entry; two to a cache line), in a flat array
/// indexed by slot. The keys themselves lie in an array of their own (`keys`, the key arena), read
/// only to verify a lookup and when a result is built; `KeySlotTable` finds a key's slot by its
/// 64-bit hash (its fingerprint), with backward-shift deletion, so evictions leave no tombstones.
/// A tally that sat beside its key (88 bytes, most spanning two cache lines) made the bucket walks
/// of every increment and eviction drag the keys through the cache as well.
///
/// The buckets exist only to find the smallest count when a key must be evicted, so they are built
/// at the first eviction, not kept from the start: until the summary is full an increment is a
/// lookup and an add. Keeping them cost every increment three or four random cache lines (the
/// neighbours in its bucket's list), and a load run, which tracks every key it can name, never
/// evicts. Each tally remembers its last increment, so the lists are built in the order the
/// eager structure would have had (most recent first among equal counts): evictions and results
/// are the same either way.
///
/// Guarantees, for a stream of N increments and capacity m: every key with true count > N/m is
/// tracked; a tracked key's `count` overestimates its true count by at most its `error`
/// (`count − error ≤ true ≤ count`); while no more than m distinct keys were seen every error is 0.
struct StreamSummary {
    /// One tracked key as a result reads it.
    struct Counter: Equatable {
        var key: Key
        var count: Int
        var error: Int
    }

    /// A tracked key's compact counter (32 bytes).
    private struct Tally {
        var count: Int
        /// The error bound once the buckets are built. Before (no key was evicted yet, so every
        /// error is 0) the increment that last changed the count: it orders equal counts when the
        /// buckets are built, and needs no field of its own.
        var errorOrStamp: Int
        var bucket: Int32
        var previous: Int32
        var next: Int32
        /// The key's entry in the analyzer's candidate tier (its full statistics), -1 when it has
        /// none. Kept here, beside the count every increment reads, so that finding a key's
        /// statistics costs no further lookup.
        var candidate: Int32
    }

    /// A key's place in byte order as plain values, for sorting a run of equal counts
    /// (`slotsByCount`): its first 24 bytes as big-endian words, zero-padded, and its length.
    private struct KeyOrder {
        var words: (UInt64, UInt64, UInt64)
        var length: Int
        var slot: Int

        init(_ key: Key, slot: Int) {
            words = key.withByteView { bytes in
                func word(_ index: Int) -> UInt64 {
                    let length = min(8, bytes.count - index * 8)
                    guard length > 0 else { return 0 }
                    // The first byte lowest, zeros beyond the key; swapped, the first byte is the highest.
                    return (bytes.word(at: index * 8, length: length) ?? 0).byteSwapped
                }
                return (word(0), word(1), word(2))
            }
            length = key.count
            self.slot = slot
        }

        /// Whether this key comes before `other`'s in byte order (`Key.<`). Equal words: when
        /// one key has at most 24 bytes it is a prefix of the other (the other's bytes matched
        /// its zero padding), so the shorter comes first; only two longer keys compare in full.
        @inline(__always)
        func precedes(_ other: KeyOrder, keys: [Key]) -> Bool {
            if words.0 != other.words.0 { return words.0 < other.words.0 }
            if words.1 != other.words.1 { return words.1 < other.words.1 }
            if words.2 != other.words.2 { return words.2 < other.words.2 }
            if min(length, other.length) <= 24 { return length < other.length }
            return keys[slot] < keys[other.slot]
        }
    }

    private struct Bucket {
        var count: Int
        var head: Int32
        var previous: Int32
        var next: Int32
    }

    let capacity: Int
    /// Per slot: the key (the arena lookups verify against).
    private var keys: [Key] = []
    /// Per slot: the key's compact counter.
    private var tallies: [Tally] = []
    private var buckets: [Bucket] = []
    private var freeBuckets: [Int32] = []
    private var index: KeySlotTable
    /// The bucket with the smallest count (where the eviction victim is).
    private var minBucket: Int32 = -1
    /// Keys replaced so far: 0 means every count is exact.
    private(set) var evictions = 0
    /// Increments so far.
    private var increments = 0
    /// True once the buckets are built (at the first eviction); before, tallies are in no list.
    private var structured = false
    /// The bits of `Key.hash64` the index stores and probes by: all of them, except in tests that
    /// make different keys share a fingerprint (the key comparison must then tell them apart).
    private let fingerprintMask: UInt64

    /// `fingerprintMask`: see the property; only tests pass one.
    init(capacity: Int, fingerprintMask: UInt64 = .max) {
        self.capacity = max(1, capacity)
        self.fingerprintMask = fingerprintMask
        keys.reserveCapacityOnHugePages(min(self.capacity, 1 << 20))
        tallies.reserveCapacityOnHugePages(min(self.capacity, 1 << 20))
        index = KeySlotTable(minimumCapacity: min(self.capacity, 1 << 16))
    }

    /// Keys tracked.
    var count: Int { tallies.count }

    /// The tracked keys by slot (a copy: for tests and small summaries; results read by slot).
    var counters: [Counter] { tallies.indices.map(counter(at:)) }

    /// The key, count and error of `slot`.
    func counter(at slot: Int) -> Counter {
        Counter(key: keys[slot], count: tallies[slot].count, error: error(of: slot))
    }

    /// The key in `slot`.
    @inline(__always)
    func key(of slot: Int) -> Key { keys[slot] }

    /// The count of the key in `slot`.
    @inline(__always)
    func count(of slot: Int) -> Int { tallies[slot].count }

    /// The error bound of the key in `slot`: `count − error ≤ true count ≤ count`.
    @inline(__always)
    func error(of slot: Int) -> Int { structured ? tallies[slot].errorOrStamp : 0 }

    /// Starts loading what `increment` of a key with `hash` reads first (its index entry).
    @inline(__always)
    func prefetchIndex(hash: UInt64) {
        index.prefetch(hash: hash & fingerprintMask)
    }

    /// Starts loading the tally and key of the key with `hash` (once its index entry is in cache)
    /// and returns its probable slot, for the caller to prefetch per-slot data of its own.
    @inline(__always)
    func prefetchCounter(hash: UInt64) -> Int? {
        guard let slot = index.probableSlot(hash: hash & fingerprintMask), Int(slot) < tallies.count else { return nil }
        tallies.prefetchElement(at: Int(slot))
        keys.prefetchElement(at: Int(slot))
        return Int(slot)
    }

    /// Called after an eviction: starts loading what the next two evictions read, and returns the
    /// slot whose tally and key it requested, for the caller to prefetch per-slot data of its own;
    /// nil while the summary is not full.
    /// On a key space wider than the capacity most new keys evict one, in the order of the smallest
    /// count's list (a newcomer moves up a bucket at once). The next victim's tally and key were
    /// requested at the previous eviction, so they are in cache now: its key's hash leads to the
    /// index entry its removal will take (requested here), and its list link to the victim after it
    /// (whose tally and key are requested here). Each miss is thus requested an eviction ahead, a
    /// few messages, without a load that waits; a guess the stream proves wrong costs a prefetch.
    @inline(__always)
    func prefetchNextVictims() -> Int? {
        guard let victim = nextVictim else { return nil }
        index.prefetch(hash: fingerprint(keys[victim]))
        let after = Int(tallies[victim].next)
        guard after >= 0 else { return nil }
        tallies.prefetchElement(at: after)
        keys.prefetchElement(at: after)
        return after
    }

    @inline(__always)
    private var nextVictim: Int? {
        guard structured, minBucket >= 0 else { return nil }
        let victim = Int(buckets[Int(minBucket)].head)
        guard victim >= 0, victim < tallies.count else { return nil }
        return victim
    }

    /// Counts one occurrence of `key`; returns its slot and, when the key took over an evicted
    /// slot, true (the caller resets per-slot statistics, and releases the slot's `candidate` entry,
    /// which still names the evicted key's).
    @inline(__always)
    mutating func increment(_ key: Key) -> (slot: Int, replaced: Bool) {
        increments += 1
        if let slot = index.slot(hash: fingerprint(key), matches: { keys[Int($0)] == key }) {
            if structured {
                bump(slot)
            } else {
                tallies[Int(slot)].count += 1
                tallies[Int(slot)].errorOrStamp = increments
            }
            return (Int(slot), false)
        }
        if tallies.count < capacity {
            let slot = Int32(tallies.count)
            keys.append(key)
            tallies.append(
                Tally(count: 1, errorOrStamp: increments, bucket: -1, previous: -1, next: -1, candidate: -1))
            index.insert(hash: fingerprint(key), slot: slot)
            return (Int(slot), false)
        }
        if !structured { buildBuckets() }
        // Replace the key with the smallest count: the newcomer inherits that count as its error.
        let victim = buckets[Int(minBucket)].head
        let minimum = tallies[Int(victim)].count
        index.remove(hash: fingerprint(keys[Int(victim)]), slot: victim)
        keys[Int(victim)] = key
        tallies[Int(victim)].errorOrStamp = minimum
        index.insert(hash: fingerprint(key), slot: victim)
        evictions += 1
        bump(victim)
        return (Int(victim), true)
    }

    @inline(__always)
    private func fingerprint(_ key: Key) -> UInt64 { key.hash64 & fingerprintMask }

    /// The candidate-tier entry of the key in `slot` (-1: none); see `Tally.candidate`.
    @inline(__always)
    func candidate(of slot: Int) -> Int32 { tallies[slot].candidate }

    @inline(__always)
    mutating func setCandidate(_ entry: Int32, of slot: Int) { tallies[slot].candidate = entry }

    /// The smallest tracked count (0 while the summary is not full): the bound for untracked keys.
    var minimumCount: Int {
        guard tallies.count >= capacity else { return 0 }
        guard structured, minBucket >= 0 else { return tallies.lazy.map(\.count).min() ?? 0 }
        return buckets[Int(minBucket)].count
    }

    /// Whether `a` ranks before `b`: higher count first, then by key.
    @inline(__always)
    private func ranksBefore(_ a: Int, _ b: Int) -> Bool {
        let x = tallies[a].count, y = tallies[b].count
        return x != y ? x > y : keys[a] < keys[b]
    }

    /// Slots from the highest count down, equal counts by key. Sorted as plain values, not by
    /// comparing tallies and keys through `self` (6.8 % of `analyze` on an HTTP capture, whose
    /// keys mostly tie on small counts): first the (count, slot) pairs, then each run of equal
    /// counts by its keys' first 24 bytes as big-endian words (each key read once), and only keys
    /// that agree on those and are both longer by `Key.<`. The order is `ranksBefore`'s.
    func slotsByCount() -> [Int] {
        var byCount = tallies.indices.map { (count: tallies[$0].count, slot: $0) }
        byCount.sort { $0.count != $1.count ? $0.count > $1.count : $0.slot < $1.slot }
        var slots = byCount.map(\.slot)
        var run: [KeyOrder] = []
        var start = 0
        while start < byCount.count {
            var end = start + 1
            while end < byCount.count, byCount[end].count == byCount[start].count { end += 1 }
            if end - start > 1 {
                run.removeAll(keepingCapacity: true)
                for position in start..<end { run.append(KeyOrder(keys[slots[position]], slot: slots[position])) }
                run.sort { $0.precedes($1, keys: keys) }
                for (offset, entry) in run.enumerated() { slots[start + offset] = entry.slot }
            }
            start = end
        }
        return slots
    }

    /// The `limit` slots of highest count, highest first (ties by key), in one pass over the
    /// tallies: O(n log limit) where `slotsByCount` sorts them all. For a live view once a second.
    func slotsByCount(limit: Int) -> [Int] {
        guard limit > 0 else { return [] }
        guard limit < tallies.count else { return slotsByCount() }
        // The best `limit` so far, best first; a candidate enters only above the last.
        var best: [Int] = []
        best.reserveCapacity(limit + 1)
        for slot in tallies.indices {
            if best.count == limit, let last = best.last, !ranksBefore(slot, last) { continue }
            var position = best.count
            while position > 0 && ranksBefore(slot, best[position - 1]) { position -= 1 }
            best.insert(slot, at: position)
            if best.count > limit { best.removeLast() }
        }
        return best
    }

    // MARK: Buckets

    /// The buckets and their lists, from the counts: ascending counts, and in each list the most
    /// recently incremented tally first (as pushing on every increment would have left them).
    /// Every error is 0 until the first eviction, which comes right after: the stamps are cleared.
    /// The order is sorted as plain values (count, stamp, slot): a comparison that read two tallies
    /// through `self` took 10 % of a fresh analyzer's first 131,072 messages (the Analyzer benchmark).
    /// Stamps are distinct, so the order is total.
    private mutating func buildBuckets() {
        var order = tallies.enumerated().map { (count: $1.count, stamp: $1.errorOrStamp, slot: $0) }
        order.sort { $0.count != $1.count ? $0.count < $1.count : $0.stamp < $1.stamp }
        var last: Int32 = -1
        for (_, _, slot) in order {
            let count = tallies[slot].count
            if last < 0 || buckets[Int(last)].count != count {
                let bucket = newBucket(count: count)
                buckets[Int(bucket)].previous = last
                if last >= 0 { buckets[Int(last)].next = bucket } else { minBucket = bucket }
                last = bucket
            }
            push(Int32(slot), onto: last)
            tallies[slot].errorOrStamp = 0
        }
        structured = true
    }

    private mutating func bump(_ slot: Int32) {
        let current = tallies[Int(slot)].bucket
        let newCount = buckets[Int(current)].count + 1
        detach(slot)
        let next = buckets[Int(current)].next
        if next >= 0, buckets[Int(next)].count == newCount {
            push(slot, onto: next)
            removeIfEmpty(current)
        } else if buckets[Int(current)].head < 0 {
            // The tally was alone: its bucket simply takes the new count.
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
        tallies[Int(slot)].bucket = bucket
        tallies[Int(slot)].previous = -1
        tallies[Int(slot)].next = head
        tallies[Int(slot)].count = buckets[Int(bucket)].count
        if head >= 0 { tallies[Int(head)].previous = slot }
        buckets[Int(bucket)].head = slot
    }

    private mutating func detach(_ slot: Int32) {
        let tally = tallies[Int(slot)]
        if tally.previous >= 0 {
            tallies[Int(tally.previous)].next = tally.next
        } else {
            buckets[Int(tally.bucket)].head = tally.next
        }
        if tally.next >= 0 { tallies[Int(tally.next)].previous = tally.previous }
    }

    private mutating func removeIfEmpty(_ bucket: Int32) {
        guard buckets[Int(bucket)].head < 0 else { return }
        let previous = buckets[Int(bucket)].previous, next = buckets[Int(bucket)].next
        if previous >= 0 { buckets[Int(previous)].next = next } else { minBucket = next }
        if next >= 0 { buckets[Int(next)].previous = previous }
        freeBuckets.append(bucket)
    }

    /// Checks the structure's invariants (tests call it after every operation): every tally in
    /// the list of the bucket of its count, buckets ascending, every key found by its own hash.
    func checkInvariants() -> Bool {
        guard keys.count == tallies.count, index.count == tallies.count else { return false }
        for slot in keys.indices where index.slot(hash: fingerprint(keys[slot]), matches: { keys[Int($0)] == keys[slot] }) != Int32(slot) {
            return false
        }
        guard structured else {
            return minBucket < 0
                && tallies.allSatisfy { $0.count >= 1 && $0.bucket < 0 && $0.errorOrStamp <= increments }
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
                let tally = tallies[Int(slot)]
                guard tally.count == bucket.count, tally.bucket == cursor, tally.errorOrStamp <= tally.count else {
                    return false
                }
                seen += 1
                slot = tally.next
            }
            cursor = bucket.next
        }
        return seen == tallies.count
    }
}
