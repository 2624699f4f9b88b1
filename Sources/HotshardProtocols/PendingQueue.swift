import HotshardBytes

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
/// when a parser is copied. The slots are a `FixedStorage`; a full ring moves to one twice as large.
struct PendingQueue<Element> {
    /// The ring's slots; their count is a power of two, so that a position wraps with a mask.
    private var storage: FixedStorage<Element>
    /// The front's slot.
    private var head = 0
    private(set) var count = 0
    /// What fills a slot the ring reaches for the first time (and a slot whose element was taken out).
    private let blank: Element

    init(blank: Element, capacity: Int = 64) {
        var rounded = 1
        while rounded < max(1, capacity) { rounded <<= 1 }
        self.blank = blank
        storage = FixedStorage(capacity: rounded)
    }

    var isEmpty: Bool { count == 0 }
    /// How many slots hold an element, queued or left behind: what the queue keeps in memory.
    var initializedSlots: Int { storage.initializedCount }

    /// The slot `offset` places from the front.
    @inline(__always)
    private func position(_ offset: Int) -> Int {
        (head &+ offset) & (storage.capacity &- 1)
    }

    /// The element `offset` places from the front, read or changed in place.
    subscript(offset: Int) -> Element {
        unsafeAddress {
            precondition(offset >= 0 && offset < count, "pending request index out of range")
            return storage.readAddress(position(offset))
        }
        unsafeMutableAddress {
            precondition(offset >= 0 && offset < count, "pending request index out of range")
            makeUnique()
            return storage.address(position(offset))
        }
    }

    mutating func append(_ element: consuming Element) {
        let slot = nextSlot()
        storage[slot] = element
        count += 1
    }

    /// Appends by letting `update` overwrite the slot after the last element, which still holds
    /// an element that left the queue (or the blank): `update` must set every field it reads later.
    @inline(__always)
    mutating func append(reusing update: (inout Element) -> Void) {
        let slot = nextSlot()
        update(&storage[slot])
        count += 1
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
        let slot = nextSlotOfUnique()
        update(&storage[slot])
        count += 1
    }

    @inline(__always)
    mutating func removeFirstOfUnique(after body: (inout Element) -> Void) {
        precondition(count > 0, "no pending request to remove")
        assert(isKnownUniquelyReferenced(&storage), "the queue's storage is shared")
        body(&storage[head])
        advanceFront()
    }

    mutating func popFirst() -> Element? {
        count > 0 ? takeFirst() : nil
    }

    /// The front element, moved out; its slot gets the blank.
    mutating func takeFirst() -> Element {
        precondition(count > 0, "no pending request to take")
        makeUnique()
        var element = blank
        swap(&element, &storage[head])
        advanceFront()
        return element
    }

    /// Moves the element at `offset` to the front, the ones before it one place back.
    mutating func moveToFront(_ offset: Int) {
        precondition(offset >= 0 && offset < count, "pending request index out of range")
        guard offset > 0 else { return }
        makeUnique()
        var position = offset
        while position > 0 {
            swap(&storage[self.position(position)], &storage[self.position(position - 1)])
            position -= 1
        }
    }

    /// The offset of the first element that satisfies `predicate`.
    func firstIndex(where predicate: (Element) -> Bool) -> Int? {
        for offset in 0..<count where predicate(storage[position(offset)]) { return offset }
        return nil
    }

    /// The slot after the last element, holding an element (the blank if it is new), with the
    /// storage unique and grown if full.
    @inline(__always)
    private mutating func nextSlot() -> Int {
        makeUnique()
        return nextSlotOfUnique()
    }

    @inline(__always)
    private mutating func nextSlotOfUnique() -> Int {
        if count == storage.capacity { resize(to: storage.capacity * 2) }
        let slot = position(count)
        if slot == storage.initializedCount { storage.append(blank) }
        return slot
    }

    /// The front slot leaves the queue.
    @inline(__always)
    private mutating func advanceFront() {
        head = (head &+ 1) & (storage.capacity &- 1)
        count -= 1
    }

    /// Storage of `capacity` slots holding copies of the elements, the front first.
    private mutating func resize(to capacity: Int) {
        storage = FixedStorage(capacity: capacity, copying: storage, first: head, count: count)
        head = 0
    }

    /// Gives this queue storage of its own if a copy of it shares it.
    @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { resize(to: storage.capacity) }
    }
}
