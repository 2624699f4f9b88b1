/// The keys of one request, in request order: the first inside the value, the others (multi-key
/// commands) in an array, so that a single-key request — nearly all traffic — allocates nothing.
public struct KeyList: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Sendable, Hashable {
    private var head: KeyReference?
    private var tail: [KeyReference] = []

    public init() {}

    public init(_ references: some Sequence<KeyReference>) {
        for reference in references { append(reference) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { head == nil ? 0 : 1 + tail.count }
    public var isEmpty: Bool { head == nil }

    public subscript(position: Int) -> KeyReference {
        get {
            if position == 0, let head { return head }
            return tail[position - 1]
        }
        set {
            if position == 0, head != nil {
                head = newValue
            } else {
                tail[position - 1] = newValue
            }
        }
    }

    public mutating func append(_ reference: KeyReference) {
        if head == nil {
            head = reference
        } else {
            tail.append(reference)
        }
    }

    public mutating func removeAll(keepingCapacity keepCapacity: Bool = false) {
        head = nil
        tail.removeAll(keepingCapacity: keepCapacity)
    }

    public mutating func replaceSubrange<C: Collection<KeyReference>>(_ subrange: Range<Int>, with newElements: C) {
        var all = Array(self)
        all.replaceSubrange(subrange, with: newElements)
        self = KeyList(all)
    }
}

extension KeyList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: KeyReference...) {
        self.init(elements)
    }
}
