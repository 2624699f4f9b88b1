import Testing
@testable import HotshardAnalysis

/// The open-addressing table behind the stream summary, checked against a dictionary after every
/// operation, on hashes chosen to collide: runs that wrap past the table's end, equal hashes of
/// different keys, removal from the middle of a run (backward shift), and growth.
@Suite struct KeySlotTableTests {
    /// Every slot of `model` is found under its hash, and nothing else is.
    static func check(_ table: KeySlotTable, _ model: [Int32: UInt64], absent: [(UInt64, Int32)] = []) {
        #expect(table.count == model.count)
        for (slot, hash) in model {
            #expect(table.slot(hash: hash) { $0 == slot } == slot, "slot \(slot) under \(hash)")
        }
        for (hash, slot) in absent where model[slot] == nil {
            #expect(table.slot(hash: hash) { $0 == slot } == nil)
        }
    }

    /// 32 entries (mask 31): homes 30 and 31 wrap to 0, 1, 2…; slots 0 and 1 share one hash.
    @Test func collidingRunsAcrossTheEndSurviveRemovals() {
        var table = KeySlotTable(minimumCapacity: 16)
        var model: [Int32: UInt64] = [:]
        let hashes: [(UInt64, Int32)] = [(31, 0), (31, 1), (30, 2), (63, 3), (0, 4), (1, 5), (95, 6), (32, 7), (2, 8)]
        for (hash, slot) in hashes {
            table.insert(hash: hash, slot: slot)
            model[slot] = hash
            Self.check(table, model)
        }
        // Remove from the front, the middle and the end of the wrapped run, checking each time.
        for slot: Int32 in [0, 4, 3, 8, 1] {
            table.remove(hash: model[slot] ?? 0, slot: slot)
            model[slot] = nil
            Self.check(table, model, absent: hashes)
        }
        // Removing what is not there changes nothing.
        table.remove(hash: 31, slot: 0)
        Self.check(table, model, absent: hashes)
    }

    /// The hint names the first entry with the hash, keys not compared; nil for a hash not stored.
    @Test func probableSlotIsTheFirstWithTheHash() {
        var table = KeySlotTable()
        table.insert(hash: 5, slot: 10)
        table.insert(hash: 5, slot: 11)
        #expect(table.probableSlot(hash: 5) == 10)
        #expect(table.probableSlot(hash: 6) == nil)
        #expect(table.slot(hash: 5) { $0 == 11 } == 11)
    }

    /// 5,000 inserts and removals of a seeded sequence, growth included, against the dictionary.
    @Test func seededInsertsAndRemovalsMatchADictionary() {
        var table = KeySlotTable()
        var model: [Int32: UInt64] = [:]
        var generator = SeededGenerator(seed: 24)
        var nextSlot: Int32 = 0
        for step in 0..<5_000 {
            if model.count > 0, generator.next() % 3 == 0 {
                let victim = model.keys.sorted()[Int(generator.next() % UInt64(model.count))]
                table.remove(hash: model[victim] ?? 0, slot: victim)
                model[victim] = nil
            } else {
                // Few distinct low bits: long runs at every size.
                let hash = (generator.next() & ~0xff) | (generator.next() % 8)
                table.insert(hash: hash, slot: nextSlot)
                model[nextSlot] = hash
                nextSlot += 1
            }
            if step % 250 == 0 { Self.check(table, model) }
        }
        Self.check(table, model)
        #expect(model.count > 1_000)
    }
}
