import Testing

@testable import HotshardBytes

/// The fixed-capacity storage under the parsers' queues and scratch lists: slots are initialised
/// in order, elements are freed with the storage, and a copy keeps a ring's order.
@Suite struct FixedStorageTests {
    /// Counts its live instances, so that a test sees what the storage frees.
    final class Tracked {
        nonisolated(unsafe) static var live = 0
        let value: Int
        init(_ value: Int) {
            self.value = value
            Self.live += 1
        }
        deinit { Self.live -= 1 }
    }

    @Test func slotsFillInOrderUpToTheCapacity() {
        let storage = FixedStorage<Int>(capacity: 3)
        #expect(storage.capacity == 3 && storage.initializedCount == 0 && !storage.isFull)
        storage.append(10)
        storage.append(20)
        storage[1] += 5
        #expect(storage[0] == 10 && storage[1] == 25 && storage.initializedCount == 2)
        storage.append(30)
        #expect(storage.isFull)
        storage.removeAll()
        #expect(storage.initializedCount == 0 && storage.capacity == 3)
        // A capacity of zero or less still gives one slot: holders size from input.
        #expect(FixedStorage<Int>(capacity: 0).capacity == 1 && FixedStorage<Int>(capacity: -4).capacity == 1)
    }

    @Test func elementsAreFreedWithTheStorage() {
        let before = Tracked.live
        do {
            let storage = FixedStorage<Tracked>(capacity: 8)
            for value in 0..<5 { storage.append(Tracked(value)) }
            storage[2] = Tracked(99)
            #expect(Tracked.live == before + 5 && storage[2].value == 99)
        }
        #expect(Tracked.live == before)
    }

    @Test func aCopyStartsAtTheFrontOfARingAndWraps() {
        let ring = FixedStorage<String>(capacity: 4)
        for text in ["c", "d", "a", "b"] { ring.append(text) }
        // The ring's front is slot 2: a, b, then round to c, d.
        let larger = FixedStorage(capacity: 8, copying: ring, first: 2, count: 4)
        #expect((0..<4).map { larger[$0] } == ["a", "b", "c", "d"] && larger.capacity == 8)
        let empty = FixedStorage(capacity: 2, copying: ring, count: 0)
        #expect(empty.initializedCount == 0)
        // Asked for less room than the elements take, it makes room for them.
        #expect(FixedStorage(capacity: 1, copying: ring, count: 3).capacity == 3)
    }
}
