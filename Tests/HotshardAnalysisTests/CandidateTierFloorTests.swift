import Testing
@testable import HotshardAnalysis

/// The candidate tier's promotion over the floor, driven directly: a key is promoted into a full
/// tier exactly when its count beats the smallest count in it, and the entry it takes is one of
/// that smallest count — whichever way the floor and the cursor got there (ties taken one after
/// another, a freed entry given to a key below the floor). Known answers: hand-worked sequences,
/// and a brute-force model of the counts for a seeded random one.
@Suite struct CandidateTierFloorTests {
    @Test func tiesAreTakenInTurnAndAFreedEntryBelowTheFloorIsTakenFirst() {
        var tier = CandidateTier(capacity: 4)
        for (slot, count) in [(0, 5), (1, 3), (2, 3), (3, 7)] {
            let promoted = tier.promote(slot: slot, count: count)
            #expect(promoted.map { [$0.entry, $0.demoted] } == [Int32(slot), -1])
        }
        // The smallest count is 3, held by entries 1 and 2: each of the next two takes one of them.
        #expect(tier.promote(slot: 10, count: 4).map { [$0.entry, $0.demoted] } == [1, 1])
        #expect(tier.promote(slot: 11, count: 4).map { [$0.entry, $0.demoted] } == [2, 2])
        // Now the smallest is 4: a count of 4 does not beat it, 6 does (and takes entry 1).
        #expect(tier.promote(slot: 12, count: 4) == nil)
        #expect(tier.floor == 4)
        #expect(tier.promote(slot: 13, count: 6).map { [$0.entry, $0.demoted] } == [1, 10])
        // Entry 3 (count 7) is freed and goes to a key of count 2, below the floor of 4: the
        // next promotion must take it, not entry 2 (count 4), though entry 2 comes first.
        tier.release(3)
        #expect(tier.promote(slot: 14, count: 2).map { [$0.entry, $0.demoted] } == [3, -1])
        #expect(tier.floor == 2)
        #expect(tier.promote(slot: 15, count: 3).map { [$0.entry, $0.demoted] } == [3, 14])
    }

    /// 50,000 seeded operations on a tier of 64 (references that raise a member's count, new keys
    /// asking for promotion, members freed), checked against a model of every entry's count: a new
    /// key is promoted exactly when an entry is free or its count beats the model's smallest, and a
    /// promotion over the floor takes an entry of exactly that smallest count.
    @Test func everyPromotionMatchesABruteForceModel() {
        let capacity = 64
        var tier = CandidateTier(capacity: capacity)
        var model: [Int?] = []  // per entry: its key's count; nil while free
        var random = SeededGenerator(seed: 0x7157_a11e)
        var nextSlot = 0
        var overFloor = 0
        for _ in 0..<50_000 {
            let roll = Int.random(in: 0..<100, using: &random)
            let members = model.indices.filter { model[$0] != nil }
            if roll < 45, let entry = members.randomElement(using: &random), let count = model[entry] {
                model[entry] = count + Int.random(in: 1...3, using: &random)
                tier.noteCount(model[entry] ?? 0, of: Int32(entry))
            } else if roll < 48, let entry = members.randomElement(using: &random) {
                tier.release(Int32(entry))
                model[entry] = nil
            } else {
                let counts = model.compactMap { $0 }
                let count = (counts.min() ?? 1) + Int.random(in: -2...3, using: &random)
                let hasRoom = model.count < capacity || counts.count < model.count
                let smallest = counts.min() ?? 0
                let promoted = tier.promote(slot: nextSlot, count: count)
                nextSlot += 1
                if hasRoom {
                    guard let entry = promoted?.entry else {
                        Issue.record("a key was refused while the tier had room")
                        continue
                    }
                    if Int(entry) == model.count { model.append(count) } else { model[Int(entry)] = count }
                    continue
                }
                #expect((promoted != nil) == (count > smallest), "count \(count), smallest \(smallest)")
                guard let promoted else { continue }
                overFloor += 1
                #expect(model[Int(promoted.entry)] == smallest)
                model[Int(promoted.entry)] = count
            }
        }
        #expect(overFloor > 2_500)
    }
}
