/// A sorted continuum of points over `0..<2^bits`; a hash belongs to the first point at or after
/// it, wrapping to the first point (libmemcached, twemproxy, nginx, Envoy and Cassandra all look up
/// this way). Duplicate point values keep the first one after a stable sort, as nginx does.
public struct HashRing: Sendable {
    /// The points' positions, ascending.
    public private(set) var values: [UInt64]
    /// `owners[i]`: the node index of point `values[i]`.
    public private(set) var owners: [Int]
    /// Nodes the points belong to (0..<nodeCount).
    public private(set) var nodeCount: Int
    /// The hash space is `0..<2^spaceBits` (32 for ketama and nginx, 64 for Envoy and Cassandra).
    public let spaceBits: Int

    /// `points` are (value, node) in generation order; sorting is stable (equal values keep
    /// generation order, `RadixOrder`).
    public init(points: [(UInt64, Int)], nodeCount: Int, spaceBits: Int, dropDuplicates: Bool = false) {
        var values: [UInt64] = []
        var owners: [Int] = []
        values.reserveCapacity(points.count)
        owners.reserveCapacity(points.count)
        func keep(_ value: UInt64, _ owner: Int) {
            if dropDuplicates, let last = values.last, last == value { return }
            values.append(value)
            owners.append(owner)
        }
        let sorted = RadixOrder(points.map(\.0))
        for (value, index) in zip(sorted.values, sorted.indices) { keep(value, points[Int(index)].1) }
        self.values = values
        self.owners = owners
        self.nodeCount = nodeCount
        self.spaceBits = spaceBits
    }

    /// The ring of nodes `0..<nodes` alone: this ring's points owned by them, in the same order.
    /// Equal to building those nodes' points afresh when each node's points do not depend on the
    /// node count (duplicates dropped first-in-generation-order stay dropped the same way).
    func prefix(nodes: Int) -> HashRing {
        var ring = self
        var values: [UInt64] = [], owners: [Int] = []
        values.reserveCapacity(self.values.count)
        owners.reserveCapacity(self.values.count)
        for i in self.values.indices where self.owners[i] < nodes {
            values.append(self.values[i])
            owners.append(self.owners[i])
        }
        ring.values = values
        ring.owners = owners
        ring.nodeCount = nodes
        return ring
    }

    /// The points `owner` maps to a node of `0..<nodeCount` (nil drops the point), in the same
    /// order: a ring built from a subset of a larger ring's points, whose owners encode more.
    func filtered(nodeCount: Int, _ owner: (Int) -> Int?) -> HashRing {
        var ring = self
        var values: [UInt64] = [], owners: [Int] = []
        values.reserveCapacity(self.values.count)
        owners.reserveCapacity(self.values.count)
        for i in self.values.indices {
            if let node = owner(self.owners[i]) {
                values.append(self.values[i])
                owners.append(node)
            }
        }
        ring.values = values
        ring.owners = owners
        ring.nodeCount = nodeCount
        return ring
    }

    /// Index of the first point with value ≥ `hash`, wrapping to 0. O(log points).
    @inline(__always)
    public func pointIndex(_ hash: UInt64) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) >> 1
            if values[mid] < hash { low = mid + 1 } else { high = mid }
        }
        return low == values.count ? 0 : low
    }

    /// The node owning `hash`: the first point at or after it, wrapping; 0 for an empty ring. O(log points).
    public func node(_ hash: UInt64) -> Int {
        guard !owners.isEmpty else { return 0 }
        return owners[pointIndex(hash)]
    }

    /// Each node's share of the space: point i owns (point i−1, point i].
    public func shares() -> [Double] {
        var result = [Double](repeating: 0, count: nodeCount)
        guard let last = values.last, let firstValue = values.first else { return result }
        let space = spaceBits >= 64 ? 18_446_744_073_709_551_616.0 : Double(UInt64(1) << UInt64(spaceBits))
        // The first point also owns the wrap-around arc from the last point.
        result[owners[0]] += (space - Double(last) + Double(firstValue)) / space
        for i in 1..<values.count {
            result[owners[i]] += Double(values[i] - values[i - 1]) / space
        }
        return result
    }
}
