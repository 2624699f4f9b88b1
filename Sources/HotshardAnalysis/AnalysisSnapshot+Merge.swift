import HotshardProtocols

public enum AnalysisMergeError: Error, CustomStringConvertible {
    case nothingToMerge
    case differentConfiguration(String)

    public var description: String {
        switch self {
        case .nothingToMerge: "nothing to merge"
        case .differentConfiguration(let what): "results were analysed with different \(what): they cannot be merged"
        }
    }
}

extension AnalysisSnapshot {
    /// Combines snapshots of parts of the traffic (split by time, by flow, or by machine) into one,
    /// as Space-Saving summaries merge (Agarwal et al., *Mergeable Summaries*, PODS 2012): a key
    /// missing from a part may have had up to that part's minimum count there, which is added to
    /// its count and its error; the merged summary keeps the largest `capacity` counters.
    ///
    /// `disjointKeys`: the parts saw disjoint sets of keys (analysis split by key, `ShardedAnalysis`),
    /// so a key missing from a part had count 0 there: nothing is added, and an untracked key's bound
    /// is the largest of the parts' minimums.
    public static func merged(_ parts: [AnalysisSnapshot], disjointKeys: Bool = false) throws -> AnalysisSnapshot {
        guard var result = parts.first else { throw AnalysisMergeError.nothingToMerge }
        for part in parts.dropFirst() {
            guard part.configuration.prefixDelimiter == result.configuration.prefixDelimiter,
                part.configuration.prefixDepth == result.configuration.prefixDepth
            else {
                throw AnalysisMergeError.differentConfiguration("prefix settings")
            }
            result = merge(result, part, disjointKeys: disjointKeys)
        }
        return result
    }

    private static func merge(_ a: AnalysisSnapshot, _ b: AnalysisSnapshot, disjointKeys: Bool) -> AnalysisSnapshot {
        var result = a
        let capacity = max(a.configuration.capacity, b.configuration.capacity)
        var dropped = 0
        var droppedMaximum = 0
        let all: [TrackedKey]
        if disjointKeys, isRanked(a.keys), isRanked(b.keys) {
            // Shards' snapshots come ranked and share no key: one pass, one copy of each tracked
            // key (about 1 kB of statistics each), instead of joining, sorting and copying again.
            (all, dropped, droppedMaximum) = mergeRanked(a.keys, b.keys, limit: capacity)
        } else {
            let values = disjointKeys ? a.keys + b.keys : combinedKeys(a, b)
            // Sorted by reference: a tracked key carries about 1 kB of statistics, too much to move around.
            let order = values.withUnsafeBufferPointer { keys in
                keys.indices.sorted { ranksBefore(keys, $0, keys, $1) }
            }
            if order.count > capacity {
                dropped = order.count - capacity
                droppedMaximum = values[order[capacity]].count
            }
            all = order.prefix(capacity).map { values[$0] }
        }
        result.configuration.capacity = capacity
        result.keys = all
        result.evictions = a.evictions + b.evictions + dropped
        result.minimumCount = max(
            droppedMaximum,
            disjointKeys
                ? max(a.minimumCount, b.minimumCount)
                : a.minimumCount + b.minimumCount)
        result.totals.add(b.totals)
        result.servers = ServerTally.merged(a.servers, b.servers)
        result.queueBindings = QueueBindingSet.merged(a.queueBindings, b.queueBindings)
        result.distinct.merge(b.distinct)
        result.service = mergeSparse(a.service, b.service)
        result.byCommand = a.byCommand.merging(b.byCommand, uniquingKeysWith: mergeSparse)
        var prefixCounts: [Key: PrefixCount] = [:]
        for prefix in a.prefixes { prefixCounts[prefix.prefix] = prefix }
        for prefix in b.prefixes {
            if var existing = prefixCounts[prefix.prefix] {
                existing.count += prefix.count
                existing.error += prefix.error
                prefixCounts[prefix.prefix] = existing
            } else {
                prefixCounts[prefix.prefix] = prefix
            }
        }
        result.prefixes = prefixCounts.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.prefix < $1.prefix }
        let series = WindowSeries.merge(
            (a.windowOriginNanos, a.windowNanos, a.windows),
            (b.windowOriginNanos, b.windowNanos, b.windows),
            limit: a.configuration.topPerWindow)
        result.windowOriginNanos = series.origin
        result.windowNanos = series.length
        result.windows = series.windows
        return result
    }

    /// The order of a snapshot's keys: by count, highest first, then by key. Compared where they
    /// lie: passing `keys[i]` would copy a tracked key's ~1 kB of statistics for every comparison
    /// (a merge's sort of 200,000 keys spent a second on it).
    @inline(__always)
    private static func ranksBefore(
        _ x: UnsafeBufferPointer<TrackedKey>, _ i: Int,
        _ y: UnsafeBufferPointer<TrackedKey>, _ j: Int
    ) -> Bool {
        let countX = x[i].count, countY = y[j].count
        return countX != countY ? countX > countY : x[i].key < y[j].key
    }

    /// Whether `keys` are in rank order (by count, highest first, then by key).
    static func isRanked(_ keys: [TrackedKey]) -> Bool {
        keys.withUnsafeBufferPointer { keys in keys.indices.dropFirst().allSatisfy { !ranksBefore(keys, $0, keys, $0 - 1) } }
    }

    /// The first `limit` of two ranked lists of different keys, ranked; how many were left out and
    /// the highest count among them.
    private static func mergeRanked(
        _ a: [TrackedKey], _ b: [TrackedKey],
        limit: Int
    ) -> (keys: [TrackedKey], dropped: Int, droppedMaximum: Int) {
        var merged: [TrackedKey] = []
        merged.reserveCapacity(min(limit, a.count + b.count))
        var i = 0, j = 0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                while merged.count < limit, i < a.count || j < b.count {
                    if j == b.count || (i < a.count && ranksBefore(a, i, b, j)) {
                        merged.append(a[i])
                        i += 1
                    } else {
                        merged.append(b[j])
                        j += 1
                    }
                }
            }
        }
        let dropped = a.count - i + b.count - j
        let droppedMaximum = max(i < a.count ? a[i].count : 0, j < b.count ? b[j].count : 0)
        return (merged, dropped, droppedMaximum)
    }

    /// The keys of both, a key in both summed; a key missing from one may have had up to that one's
    /// minimum count there, which is added to its count and its error. Found through an index by key
    /// and summed in place: each tracked key (~1 kB) is copied once.
    private static func combinedKeys(_ a: AnalysisSnapshot, _ b: AnalysisSnapshot) -> [TrackedKey] {
        combinedKeys(a.keys, minimum: a.minimumCount, b.keys, minimum: b.minimumCount)
    }

    /// Two counts of parts of the traffic as one (unordered): a key both have is added up; a key
    /// one lacks may have had up to that one's `minimum` there (its smallest tracked count, 0 when
    /// it tracked every key), added to its count, its error and the references it was not measured for.
    static func combinedKeys(_ a: [TrackedKey], minimum minimumA: Int, _ b: [TrackedKey], minimum minimumB: Int) -> [TrackedKey] {
        var combined = a
        combined.reserveCapacity(a.count + b.count)
        var position: [Key: Int] = [:]
        position.reserveCapacity(a.count)
        for index in a.indices { position[a[index].key] = index }
        var inB = [Bool](repeating: false, count: a.count)
        for index in b.indices {
            if let existing = position[b[index].key] {
                inB[existing] = true
                combined[existing].count += b[index].count
                combined[existing].error += b[index].error
                combined[existing].statisticsSince += b[index].statisticsSince
                combined[existing].statistics.merge(b[index].statistics)
            } else {
                combined.append(b[index])
                combined[combined.count - 1].count += minimumA
                combined[combined.count - 1].error += minimumA
                // References it may have had in `a` were not measured either.
                combined[combined.count - 1].statisticsSince += minimumA
            }
        }
        for index in a.indices where !inB[index] {
            combined[index].count += minimumB
            combined[index].error += minimumB
            combined[index].statisticsSince += minimumB
        }
        return combined
    }

    private static func mergeSparse(_ a: SparseHistogram, _ b: SparseHistogram) -> SparseHistogram {
        var histogram = a.histogram()
        histogram.add(b.histogram())
        return SparseHistogram(histogram)
    }
}
