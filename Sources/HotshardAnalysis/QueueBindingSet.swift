/// The AMQP bindings seen in a run: a set, bounded by `limit` (what did not fit is counted in
/// `dropped`, never silent), that merges by union, so that results analysed apart combine.
public struct QueueBindingSet: Codable, Sendable, Equatable {
    /// Enough for every binding of a large broker; each costs about 150 bytes.
    public static let limit = 10_000

    /// Sorted, without duplicates.
    public private(set) var bindings: [QueueBinding] = []
    /// Bindings left out because the set was full.
    public private(set) var dropped = 0

    public init() {}

    /// Adds `binding` unless it is already here; O(log n) to find, O(n) to insert (bindings are rare).
    mutating func insert(_ binding: QueueBinding) {
        var low = 0, high = bindings.count
        while low < high {
            let middle = (low + high) / 2
            if bindings[middle] < binding { low = middle + 1 } else { high = middle }
        }
        guard low == bindings.count || bindings[low] != binding else { return }
        guard bindings.count < Self.limit else {
            dropped += 1
            return
        }
        bindings.insert(binding, at: low)
    }

    /// The union of both; what exceeds the limit is dropped and counted.
    static func merged(_ a: QueueBindingSet?, _ b: QueueBindingSet?) -> QueueBindingSet? {
        guard let a else { return b }
        guard let b else { return a }
        var result = a
        result.dropped += b.dropped
        for binding in b.bindings { result.insert(binding) }
        return result
    }
}
