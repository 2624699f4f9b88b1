/// A fixed number of slots, allocated once and freed with the last reference: the memory the
/// parsers' queues and scratch lists keep from one message to the next, so that the steady path
/// allocates nothing and no other type allocates or frees by hand.
///
/// Slots are initialised in order, when first written (`append`), not when allocated: a capture
/// can hold a million connections, most of which never fill their queue. `initializedCount` is
/// the only bookkeeping that needs, and every read or write of a slot checks it (a slot not yet
/// written is never read). A class, so that the slots are shared by copies of the value that
/// holds it: the holder copies on write (`isKnownUniquelyReferenced`) where it needs value
/// semantics. The capacity never changes; a holder that needs more makes a larger storage and
/// copies into it (`init(capacity:copying:)`).
public final class FixedStorage<Element> {
    /// How many slots there are.
    public let capacity: Int
    /// Slots `0..<initializedCount` hold an element.
    @inlinable
    public var initializedCount: Int { filled }
    // Unchecked: the storage's holder copies on write before it mutates (the slots are never
    // reached from two places at once), and the dynamic check on every read and append of this one
    // counter was ~18 % of RESP parsing (swift_beginAccess, AccessSet::insert, __tls_get_addr).
    @exclusivity(unchecked) @usableFromInline var filled = 0
    @usableFromInline let slots: UnsafeMutablePointer<Element>

    /// Storage of `capacity` slots (at least one), none initialised.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        slots = .allocate(capacity: self.capacity)
    }

    /// Storage of `capacity` slots (at least `count`) holding copies of `count` of `other`'s
    /// elements, `first` and those after it, wrapping round at `other`'s end (a ring's front first).
    public convenience init(capacity: Int, copying other: FixedStorage, first: Int = 0, count: Int) {
        precondition(count >= 0 && count <= other.initializedCount, "copying more slots than hold elements")
        self.init(capacity: max(capacity, count))
        var index = first
        for _ in 0..<count {
            if index >= other.initializedCount { index = 0 }
            append(other[index])
            index += 1
        }
    }

    /// Writes `element` to slot `index`, which holds an element (replaced) or is the next to be
    /// initialised: a scratch list (spans, ranges) refilled from its start without emptying it.
    @inlinable
    public func write(_ element: consuming Element, at index: Int) {
        precondition(index >= 0 && index <= filled && index < capacity, "FixedStorage write out of range")
        if index < filled {
            slots[index] = element
        } else {
            (slots + index).initialize(to: element)
            filled &+= 1
        }
    }

    /// Forgets every element, keeping the slots: for elements that need no clean-up (spans,
    /// ranges), so a scratch list is emptied by one store.
    @inlinable
    public func removeAll() where Element: BitwiseCopyable {
        filled = 0
    }

    deinit {
        slots.deinitialize(count: filled)
        slots.deallocate()
    }

    /// True when every slot holds an element.
    @inlinable
    public var isFull: Bool { filled == capacity }

    /// Initialises the next slot to `element`. The storage must not be full.
    @inlinable
    public func append(_ element: consuming Element) {
        precondition(filled < capacity, "FixedStorage is full")
        (slots + filled).initialize(to: element)
        filled &+= 1
    }

    /// The element in slot `index`, read or changed where it lies (no copy of it is made).
    @inlinable
    public subscript(index: Int) -> Element {
        unsafeAddress { UnsafePointer(address(index)) }
        unsafeMutableAddress { address(index) }
    }

    /// Where slot `index` lies, after checking that it holds an element: for a holder's own
    /// addressors (a ring's subscript), which must not keep it past the access.
    @inlinable
    public func address(_ index: Int) -> UnsafeMutablePointer<Element> {
        precondition(index >= 0 && index < filled, "FixedStorage index out of range")
        return slots + index
    }

    /// `address(index)` for reading: for a holder's own `unsafeAddress` accessor.
    @inlinable
    public func readAddress(_ index: Int) -> UnsafePointer<Element> {
        UnsafePointer(address(index))
    }
}
