import HotshardProtocols

/// Redis Cluster: slot = CRC16-XMODEM(hash tag or key) mod 16384, where the hash tag is the
/// bytes between the first '{' and the first '}' after it, when that span is non-empty
/// (`keyHashSlot` in cluster.c). Slots go to nodes by `slotOwner`, built either as
/// `redis-cli --cluster create` splits them or from a CLUSTER NODES dump.
public struct RedisClusterScheme: PlacementScheme {
    /// Redis Cluster's fixed slot count.
    public static let slotCount = 16384

    /// The owner of each of the 16384 slots (an index into `nodeNames`).
    public let slotOwner: [Int]
    /// The masters, in the order given (or as the CLUSTER NODES dump lists them).
    public let nodeNames: [String]
    /// `redis-cluster`.
    public var name: String { "redis-cluster" }

    /// Contiguous ranges as `redis-cli --cluster create` assigns them to `nodeNames.count` masters.
    public init(nodeNames: [String]) {
        self.nodeNames = nodeNames
        var owner = [Int](repeating: 0, count: Self.slotCount)
        for (index, range) in Self.createRanges(masters: nodeNames.count).enumerated() {
            for slot in range { owner[slot] = index }
        }
        slotOwner = owner
    }

    /// A layout read from a dump; slots no node serves map to node 0 and are counted by the caller.
    public init(nodeNames: [String], slotOwner: [Int]) {
        self.nodeNames = nodeNames
        self.slotOwner = slotOwner
    }

    /// `clusterManagerCommandCreate` in redis-cli.c: `slots_per_node = 16384 / (float) masters`,
    /// `last = lround(cursor + slots_per_node - 1)`, the last master takes the rest, in float.
    public static func createRanges(masters: Int) -> [ClosedRange<Int>] {
        guard masters > 0 else { return [] }
        let slotsPerNode = Float(slotCount) / Float(masters)
        var first = 0
        var cursor: Float = 0
        var ranges: [ClosedRange<Int>] = []
        for i in 0..<masters {
            // lround rounds half away from zero, as Swift's .toNearestOrAwayFromZero.
            var last = Int((cursor + slotsPerNode - 1).rounded(.toNearestOrAwayFromZero))
            if last > slotCount || i == masters - 1 { last = slotCount - 1 }
            if last < first { last = first }
            ranges.append(first...last)
            first = last + 1
            cursor += slotsPerNode
        }
        return ranges
    }

    /// The hash slot of a key, hash tags included.
    public static func slot(_ bytes: [UInt8]) -> Int {
        if let tag = hashTagRange(bytes) { return Int(CRC16.xmodem(bytes[tag]) & 0x3fff) }
        return Int(CRC16.xmodem(bytes) & 0x3fff)
    }

    /// The hash tag's bytes (between the first '{' and the first '}' after it, when non-empty).
    public static func hashTag(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        hashTagRange(bytes).map { bytes[$0] }
    }

    static func hashTagRange(_ bytes: [UInt8]) -> Range<Int>? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else { return nil }
        return (open + 1)..<close
    }

    /// The key's slot: CRC16-XMODEM of its hash tag (or the whole key) mod 16384.
    public func keyHash(_ key: Key) -> UInt64 { UInt64(Self.slot(key.bytes)) }
    /// `redis-slot`: the slot, which no other scheme computes.
    public var hashFamily: String { "redis-slot" }

    /// The master owning the slot.
    public func node(forHash hash: UInt64) -> Int { slotOwner[Int(hash & 0x3fff)] }

    /// Each master's fraction of the 16384 slots.
    public func shares() -> [Double] {
        var result = [Double](repeating: 0, count: nodeNames.count)
        for owner in slotOwner where owner < result.count { result[owner] += 1.0 / Double(Self.slotCount) }
        return result
    }

    /// The slot ranges of each node, merged, for `redis-cli` style display.
    public func ranges() -> [[ClosedRange<Int>]] {
        var result = [[ClosedRange<Int>]](repeating: [], count: nodeNames.count)
        var start = 0
        for slot in 1...Self.slotCount {
            if slot == Self.slotCount || slotOwner[slot] != slotOwner[start] {
                let owner = slotOwner[start]
                if owner < result.count { result[owner].append(start...(slot - 1)) }
                start = slot
            }
        }
        return result
    }
}
