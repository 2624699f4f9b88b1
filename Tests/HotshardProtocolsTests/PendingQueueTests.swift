import Testing
@testable import HotshardProtocols

/// The pending-request ring: slots are initialised when the ring first reaches them and reused
/// after; order, growth while wrapped and copies behave as a queue's must.
@Suite struct PendingQueueTests {
    func drain(_ queue: inout PendingQueue<String>) -> [String] {
        var out: [String] = []
        while let first = queue.popFirst() { out.append(first) }
        return out
    }

    @Test func slotsAreInitialisedWhenTheRingReachesThemAndReusedAfter() {
        var queue = PendingQueue<String>(blank: "", capacity: 4)
        #expect(queue.initializedSlots == 0)
        queue.append("a")
        queue.append("b")
        #expect(queue.initializedSlots == 2)
        var seen: [String] = []
        queue.removeFirst { seen.append($0) }
        queue.removeFirst { seen.append($0) }
        #expect(seen == ["a", "b"] && queue.isEmpty && queue.initializedSlots == 2)
        // The next two reach new slots; the fifth append wraps to the first slot, still holding "a".
        queue.append("c")
        queue.append("d")
        var leftBehind = ""
        queue.append(reusing: { slot in
            leftBehind = slot
            slot = "e"
        })
        #expect(leftBehind == "a" && queue.initializedSlots == 4 && queue.count == 3)
        #expect(queue.takeFirst() == "c")
        #expect(queue[0] == "d" && queue[1] == "e")
        // A million queues with one request each would otherwise hold 64 slots apiece.
        var fresh = PendingQueue<String>(blank: "", capacity: 64)
        fresh.append("only")
        #expect(fresh.initializedSlots == 1)
    }

    @Test func growingWhileWrappedKeepsTheOrder() {
        var queue = PendingQueue<String>(blank: "", capacity: 4)
        for index in 0..<3 { queue.append("x\(index)") }
        _ = queue.takeFirst()
        _ = queue.takeFirst()
        for index in 3..<12 { queue.append("x\(index)") }  // wraps, then grows to 8 and 16
        #expect(queue.count == 10)
        queue.moveToFront(4)
        #expect(drain(&queue) == ["x6", "x2", "x3", "x4", "x5", "x7", "x8", "x9", "x10", "x11"])
        #expect(queue.initializedSlots <= 16)
    }

    @Test func copiesAreIndependent() {
        var original = PendingQueue<String>(blank: "", capacity: 4)
        for index in 0..<4 { original.append("o\(index)") }
        _ = original.takeFirst()
        var copy = original
        original.append("o4")
        original[0] = "changed"
        copy.removeFirst { $0 = "gone" }
        copy.append("c4")
        #expect(drain(&original) == ["changed", "o2", "o3", "o4"])
        #expect(drain(&copy) == ["o2", "o3", "c4"])
    }
}
