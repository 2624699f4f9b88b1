/// Tier 1 for keys counted by number (`KeyIndexSpace`): per key one 8-byte word holding its exact
/// count and its candidate-tier entry, eight to a cache line. A reference costs one load and one
/// store at a known address (no hash, no probe, no key comparison, no eviction).
struct IndexedTally {
    /// Per key: count in the high 40 bits (10¹² references), candidate entry + 1 in the low 24
    /// (0: none). Packed so that the one word a reference touches answers both questions.
    private var words: [UInt64]
    private static let entryBits: UInt64 = 24
    private static let entryMask: UInt64 = (1 << entryBits) - 1
    /// Candidate entries the packing can name.
    static let entryLimit = Int(entryMask) - 1

    init(count: Int) {
        words = count > 0 ? [UInt64](repeating: 0, count: count) : []
    }

    /// Keys the space holds.
    var count: Int { words.count }

    /// Adds one reference to key `index`; returns its new count.
    @inline(__always)
    mutating func increment(_ index: Int) -> Int {
        words[index] &+= 1 << Self.entryBits
        return Int(words[index] >> Self.entryBits)
    }

    @inline(__always)
    func count(of index: Int) -> Int { Int(words[index] >> Self.entryBits) }

    /// The candidate-tier entry of key `index`; -1: none.
    @inline(__always)
    func candidate(of index: Int) -> Int32 { Int32(truncatingIfNeeded: words[index] & Self.entryMask) - 1 }

    @inline(__always)
    mutating func setCandidate(_ entry: Int32, of index: Int) {
        words[index] = (words[index] & ~Self.entryMask) | UInt64(truncatingIfNeeded: Int(entry) + 1) & Self.entryMask
    }

    @inline(__always)
    func prefetch(_ index: Int) {
        words.prefetchElement(at: index)
    }

    /// The numbers of the keys counted at least once, in number order.
    var counted: [Int] {
        var result: [Int] = []
        for index in words.indices where words[index] >> Self.entryBits > 0 { result.append(index) }
        return result
    }
}
