/// The requests of one connection waiting for their replies, oldest first.
///
/// A ring that moves its elements in and out and hands out the front in place: a parser's pending
/// request carries its whole message (some 250 bytes with four references), and a Deque copied
/// it on append (the element is captured by a closure) and on every read of the front. Copy on
/// write keeps value semantics when a parser is copied.
struct PendingQueue<Element> {
    private final class Storage {
        let slots: UnsafeMutablePointer<Element>
        /// A power of two, so that a position wraps with a mask.
        let capacity: Int
        var head = 0
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
        }

        @inline(__always)
        func slot(_ offset: Int) -> UnsafeMutablePointer<Element> {
            slots + ((head &+ offset) & (capacity &- 1))
        }

        /// A storage of `capacity` slots holding copies (or, with `moving`, the elements themselves).
        func resized(to capacity: Int, moving: Bool) -> Storage {
            let larger = Storage(capacity: capacity)
            for offset in 0..<count {
                if moving {
                    (larger.slots + offset).moveInitialize(from: slot(offset), count: 1)
                } else {
                    (larger.slots + offset).initialize(to: slot(offset).pointee)
                }
            }
            larger.count = count
            if moving { count = 0 }
            return larger
        }

        deinit {
            for offset in 0..<count { slot(offset).deinitialize(count: 1) }
            slots.deallocate()
        }
    }

    private var storage: Storage

    init(capacity: Int = 64) {
        var rounded = 1
        while rounded < max(1, capacity) { rounded <<= 1 }
        storage = Storage(capacity: rounded)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.count == 0 }

    /// The element `offset` places from the front, read or changed in place.
    subscript(offset: Int) -> Element {
        unsafeAddress {
            precondition(offset >= 0 && offset < storage.count, "pending request index out of range")
            return UnsafePointer(storage.slot(offset))
        }
        unsafeMutableAddress {
            precondition(offset >= 0 && offset < storage.count, "pending request index out of range")
            makeUnique()
            return storage.slot(offset)
        }
    }

    mutating func append(_ element: consuming Element) {
        nextSlot().initialize(to: element)
        storage.count += 1
    }

    /// Appends the element `make` returns, made in its slot.
    @inline(__always)
    mutating func append(_ make: () -> Element) {
        nextSlot().initialize(to: make())
        storage.count += 1
    }

    /// Lets `body` change and read the front element where it lies, then drops it.
    @inline(__always)
    mutating func removeFirst(after body: (inout Element) -> Void) {
        precondition(storage.count > 0, "no pending request to remove")
        makeUnique()
        body(&storage.slot(0).pointee)
        storage.slot(0).deinitialize(count: 1)
        advanceFront()
    }

    mutating func popFirst() -> Element? {
        storage.count > 0 ? takeFirst() : nil
    }

    /// The front element, moved out (no optional to move it through again).
    mutating func takeFirst() -> Element {
        precondition(storage.count > 0, "no pending request to take")
        makeUnique()
        let element = storage.slot(0).move()
        advanceFront()
        return element
    }

    /// Moves the element at `offset` to the front, the ones before it one place back.
    mutating func moveToFront(_ offset: Int) {
        precondition(offset >= 0 && offset < storage.count, "pending request index out of range")
        guard offset > 0 else { return }
        makeUnique()
        let element = storage.slot(offset).move()
        var position = offset
        while position > 0 {
            storage.slot(position).moveInitialize(from: storage.slot(position - 1), count: 1)
            position -= 1
        }
        storage.slot(0).initialize(to: element)
    }

    /// The offset of the first element that satisfies `predicate`.
    func firstIndex(where predicate: (Element) -> Bool) -> Int? {
        for offset in 0..<storage.count where predicate(storage.slot(offset).pointee) { return offset }
        return nil
    }

    /// The uninitialised slot after the last element, with the storage unique and grown if full.
    @inline(__always)
    private mutating func nextSlot() -> UnsafeMutablePointer<Element> {
        makeUnique()
        if storage.count == storage.capacity { storage = storage.resized(to: storage.capacity * 2, moving: true) }
        return storage.slot(storage.count)
    }

    /// The front slot, already emptied, leaves the queue.
    @inline(__always)
    private mutating func advanceFront() {
        storage.head = (storage.head &+ 1) & (storage.capacity &- 1)
        storage.count -= 1
    }

    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.resized(to: storage.capacity, moving: false) }
    }
}
