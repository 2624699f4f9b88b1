/// The requests of one connection waiting for their replies, oldest first.
///
/// A ring whose slots, once used, stay initialised and are reused: a parser's pending request
/// carries its whole message (some 250 bytes with four references), and making one in a slot and
/// destroying it after its reply cost more than the rest of parsing a small request (RESP
/// GET/SET: 90 ns of a 125 ns pair in a stripped-down parser, 40 ns when the slot's fields are
/// overwritten in place). A slot that left the queue keeps its old element until it is reused,
/// so a long key or an error text lives on for at most one trip round the ring. Slots are first
/// initialised when the ring reaches them, not when it is allocated: a capture can hold a
/// million connections, most with one request in flight. Copy on write keeps value semantics
/// when a parser is copied.
struct PendingQueue<Element> {
    private final class Storage {
        let slots: UnsafeMutablePointer<Element>
        /// A power of two, so that a position wraps with a mask.
        let capacity: Int
        var head = 0
        var count = 0
        /// Slots `0..<initialized` hold an element (queued, or left behind to be reused). The ring
        /// reaches its slots in order, so this is the only bookkeeping lazy initialisation needs.
        var initialized = 0

        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
        }

        @inline(__always)
        func slot(_ offset: Int) -> UnsafeMutablePointer<Element> {
            slots + ((head &+ offset) & (capacity &- 1))
        }

        /// A storage of `capacity` slots holding copies of the elements, the front first.
        func resized(to capacity: Int) -> Storage {
            let larger = Storage(capacity: capacity)
            for offset in 0..<count { (larger.slots + offset).initialize(to: slot(offset).pointee) }
            larger.count = count
            larger.initialized = count
            return larger
        }

        deinit {
            slots.deinitialize(count: initialized)
            slots.deallocate()
        }
    }

    private var storage: Storage
    /// What fills a slot the ring reaches for the first time (and a slot whose element was taken out).
    private let blank: Element

    init(blank: Element, capacity: Int = 64) {
        var rounded = 1
        while rounded < max(1, capacity) { rounded <<= 1 }
        self.blank = blank
        storage = Storage(capacity: rounded)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.count == 0 }
    /// How many slots hold an element, queued or left behind: what the queue keeps in memory.
    var initializedSlots: Int { storage.initialized }

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
        nextSlot().pointee = element
        storage.count += 1
    }

    /// Appends by letting `update` overwrite the slot after the last element, which still holds
    /// an element that left the queue (or the blank): `update` must set every field it reads later.
    @inline(__always)
    mutating func append(reusing update: (inout Element) -> Void) {
        update(&nextSlot().pointee)
        storage.count += 1
    }

    /// Lets `body` change and read the front element where it lies, then drops it from the queue
    /// (the slot keeps it until reused).
    @inline(__always)
    mutating func removeFirst(after body: (inout Element) -> Void) {
        makeUnique()
        removeFirstOfUnique(after: body)
    }

    /// `append(reusing:)` and `removeFirst(after:)` for a run of them after one `makeUnique()`,
    /// with no copy of the queue made meanwhile (a parser's `feed`: nothing can copy the parser
    /// while it runs). Checking on each cost a call to the runtime, 2–3 ns a request and reply.
    @inline(__always)
    mutating func appendToUnique(reusing update: (inout Element) -> Void) {
        assert(isKnownUniquelyReferenced(&storage), "the queue's storage is shared")
        update(&nextSlotOfUnique().pointee)
        storage.count += 1
    }

    @inline(__always)
    mutating func removeFirstOfUnique(after body: (inout Element) -> Void) {
        precondition(storage.count > 0, "no pending request to remove")
        assert(isKnownUniquelyReferenced(&storage), "the queue's storage is shared")
        body(&storage.slot(0).pointee)
        advanceFront()
    }

    mutating func popFirst() -> Element? {
        storage.count > 0 ? takeFirst() : nil
    }

    /// The front element, moved out; its slot gets the blank.
    mutating func takeFirst() -> Element {
        precondition(storage.count > 0, "no pending request to take")
        makeUnique()
        let slot = storage.slot(0)
        let element = slot.move()
        slot.initialize(to: blank)
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

    /// The slot after the last element, holding an element (the blank if it is new), with the
    /// storage unique and grown if full.
    @inline(__always)
    private mutating func nextSlot() -> UnsafeMutablePointer<Element> {
        makeUnique()
        return nextSlotOfUnique()
    }

    @inline(__always)
    private mutating func nextSlotOfUnique() -> UnsafeMutablePointer<Element> {
        if storage.count == storage.capacity { storage = storage.resized(to: storage.capacity * 2) }
        let slot = storage.slot(storage.count)
        if slot - storage.slots == storage.initialized {
            slot.initialize(to: blank)
            storage.initialized += 1
        }
        return slot
    }

    /// The front slot leaves the queue.
    @inline(__always)
    private mutating func advanceFront() {
        storage.head = (storage.head &+ 1) & (storage.capacity &- 1)
        storage.count -= 1
    }

    /// Gives this queue storage of its own if a copy of it shares it.
    @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.resized(to: storage.capacity) }
    }
}
