import HotshardProtocols

/// Slots of a stream summary by key, without hashing the key again: open addressing with linear
/// probing on `Key.hash64`, and deletion by backward shift (no tombstones), so that a lookup is a
/// few loads and one key comparison. The table owns no keys; callers compare against their own.
struct KeySlotTable {
    private struct Entry {
        var hash: UInt64
        var slot: Int32
    }

    private static let empty = Entry(hash: 0, slot: -1)
    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        entries = Self.emptyEntries(size)
        mask = size - 1
    }

    /// The slot stored for `hash` whose key `matches` says is the one wanted.
    @inline(__always)
    func slot(hash: UInt64, matches: (Int32) -> Bool) -> Int32? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = entries[index]
            if entry.slot < 0 { return nil }
            if entry.hash == hash, matches(entry.slot) { return entry.slot }
            index = (index + 1) & mask
        }
    }

    /// Starts loading the entry where a lookup of `hash` begins.
    @inline(__always)
    func prefetch(hash: UInt64) {
        let index = Int(truncatingIfNeeded: hash) & mask
        entries.prefetchElement(at: index)
    }

    /// The slot a lookup of `hash` will most likely find: the first of the next few entries with that
    /// hash, keys not compared (a hint for prefetching, never an answer).
    @inline(__always)
    func probableSlot(hash: UInt64) -> Int32? {
        var index = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<4 {
            let entry = entries[index]
            if entry.slot < 0 { return nil }
            if entry.hash == hash { return entry.slot }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Stores `slot` for a key that is not in the table.
    mutating func insert(hash: UInt64, slot: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        var index = Int(truncatingIfNeeded: hash) & mask
        while entries[index].slot >= 0 { index = (index + 1) & mask }
        entries[index] = Entry(hash: hash, slot: slot)
        count += 1
    }

    /// Removes the entry of `slot` (stored under `hash`).
    mutating func remove(hash: UInt64, slot: Int32) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while entries[index].slot != slot {
            guard entries[index].slot >= 0 else { return }
            index = (index + 1) & mask
        }
        // Backward shift: pull later entries of the run into the hole when their home allows it.
        var hole = index
        var next = index
        while true {
            next = (next + 1) & mask
            let entry = entries[next]
            if entry.slot < 0 { break }
            let home = Int(truncatingIfNeeded: entry.hash) & mask
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if staysPut { continue }
            entries[hole] = entry
            hole = next
        }
        entries[hole] = Self.empty
        count -= 1
    }

    private static func emptyEntries(_ size: Int) -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacityOnHugePages(size)
        entries.append(contentsOf: repeatElement(empty, count: size))
        return entries
    }

    private mutating func grow() {
        let old = entries
        entries = Self.emptyEntries(old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.slot >= 0 {
            var index = Int(truncatingIfNeeded: entry.hash) & mask
            while entries[index].slot >= 0 { index = (index + 1) & mask }
            entries[index] = entry
            count += 1
        }
    }
}
