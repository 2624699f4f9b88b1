/// Reads the slot layout from `CLUSTER NODES` output: one node per line,
/// `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>…`,
/// where a slot item is `N` or `A-B`; `[N->-id]` / `[N-<-id]` migration items are skipped.
/// Only masters that own slots become nodes, named by their `ip:port`, ordered by first slot.
public enum RedisClusterDump {
    /// The slot layout of a `CLUSTER NODES` dump; throws `PlacementError.badClusterDump` with the
    /// line for a malformed line, or when no master owns a slot.
    public static func parseClusterNodes(_ text: String) throws -> RedisClusterScheme {
        var masters: [(address: String, slots: [ClosedRange<Int>])] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \r\t")
            if line.isEmpty { continue }
            let fields = line.split(separator: " ")
            guard fields.count >= 8 else {
                throw PlacementError.badClusterDump(line: number + 1, "expected at least 8 fields, found \(fields.count)")
            }
            guard fields[2].split(separator: ",").contains("master") else { continue }
            let address = fields[1].split(separator: "@").first.map(String.init) ?? String(fields[1])
            var slots: [ClosedRange<Int>] = []
            for item in fields.dropFirst(8) where !item.hasPrefix("[") {
                let bounds = item.split(separator: "-")
                guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                    0 <= low, low <= high, high < RedisClusterScheme.slotCount
                else {
                    throw PlacementError.badClusterDump(line: number + 1, "bad slot range '\(item)'")
                }
                slots.append(low...high)
            }
            if !slots.isEmpty { masters.append((address, slots)) }
        }
        // Nodes in slot order, as redis-cli --cluster check lists them.
        masters.sort { ($0.slots.map(\.lowerBound).min() ?? 0) < ($1.slots.map(\.lowerBound).min() ?? 0) }
        let names = masters.map(\.address)
        var owner = [Int](repeating: -1, count: RedisClusterScheme.slotCount)
        for (index, master) in masters.enumerated() {
            for range in master.slots { for slot in range { owner[slot] = index } }
        }
        guard !names.isEmpty else { throw PlacementError.badClusterDump(line: 0, "no master owns any slot") }
        // Unserved slots go to node 0 so that lookups stay total; callers may count them.
        return RedisClusterScheme(nodeNames: names, slotOwner: owner.map { $0 < 0 ? 0 : $0 })
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
