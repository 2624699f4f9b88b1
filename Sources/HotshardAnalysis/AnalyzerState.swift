import Histogram
import HotshardBytes
import HotshardProtocols

/// The mutable state of `HotKeyAnalyzer` and the per-message update. A struct, so that the update
/// runs under one exclusive access instead of a dynamic check per field.
struct AnalyzerState {
    let configuration: AnalysisConfiguration
    /// Tier 1: every tracked key's count and error bound (they alone rank the keys and bound them).
    private var summary: StreamSummary
    /// Tier 1 for keys the sender numbered (`KeyIndexSpace`): exact counts by number. Its keys have
    /// slots `0..<indexSlots`; the summary's slot `s` is slot `indexSlots + s` wherever slots of
    /// both are named together (the windows' counts, the candidates' owners).
    private var indexed: IndexedTally
    private let keySpace: KeyIndexSpace?
    private let indexSlots: Int
    /// Numbered keys counted so far (distinct: each added to `distinct` at its first reference).
    private var indexedKeys = 0
    /// Tier 2: full statistics for the candidates for the top (plain values, side by side).
    private var candidates: CandidateTier
    private var prefixes: StreamSummary
    /// The prefix counted last (see `countPrefix`).
    private var lastPrefix: Key?
    private var windows: WindowSeries
    private var distinct = HyperLogLog()
    private var totals = AnalysisTotals()
    private var service = Histogram<UInt64>(
        highestTrackableValue: SparseHistogram.highestMicros,
        numberOfSignificantValueDigits: .three)
    /// Per command: its count and latency.
    private struct CommandTally {
        var name: String
        var count = 0
        var latency = Histogram<UInt64>(
            highestTrackableValue: SparseHistogram.highestMicros,
            numberOfSignificantValueDigits: .two)
    }
    private var tallies: [CommandTally] = []
    private var tallyIndex: [String: Int] = [:]
    private var protocolCounts = [Int](repeating: 0, count: WireProtocol.allCases.count)
    private var statusCounts = [Int](repeating: 0, count: 4)
    private var servers = ServerTally()
    /// AMQP `queue.bind`s seen (nil until the first).
    private var bindings: QueueBindingSet?

    /// `keySpace`: count keys whose references carry a number in it by that number (one state only:
    /// a sharded analysis splits keys by hash, and its messages carry no numbers).
    init(configuration: AnalysisConfiguration, shard: Int = 0, of shardCount: Int = 1, keySpace: KeyIndexSpace? = nil) {
        self.configuration = configuration
        self.shard = shard
        self.shardCount = max(1, shardCount)
        let keySpace = shardCount > 1 ? nil : keySpace
        self.keySpace = keySpace
        indexSlots = keySpace?.count ?? 0
        indexed = IndexedTally(count: indexSlots)
        summary = StreamSummary(capacity: configuration.capacity)
        let candidateCapacity = configuration.effectiveCandidateCapacity
        candidates = CandidateTier(
            capacity: keySpace == nil ? candidateCapacity : min(candidateCapacity, IndexedTally.entryLimit))
        prefixes = StreamSummary(capacity: configuration.prefixCapacity)
        windows = WindowSeries(configuration: configuration)
    }

    /// This state's part of the traffic when analysis is split over threads (`ShardedAnalysis`):
    /// the keys whose `Self.shard(ofHash:count:)` is `shard`, and the messages it owns.
    private let shard: Int
    private let shardCount: Int

    /// The shard of a key: high bits of its hash (the low ones pick its place in each shard's table).
    @inline(__always)
    static func shard(ofHash hash: UInt64, count: Int) -> Int {
        count == 1 ? 0 : Int((hash >> 40) % UInt64(count))
    }

    /// The shard that counts a message itself (requests, commands, latency, windows): its first
    /// key's, or for a message without keys its client port's.
    @inline(__always)
    static func shard(of message: Message, count: Int) -> Int {
        guard count > 1 else { return 0 }
        if let hash = message.keys.first?.key.hash64 { return shard(ofHash: hash, count: count) }
        return Int(message.flow.client.port) % count
    }

    mutating func receive(_ message: Message) {
        let isError: Bool
        switch message.status {
        case .error: isError = true
        default: isError = false
        }
        let countsMessage = shardCount == 1 || Self.shard(of: message, count: shardCount) == shard
        let server = ServerLoad.id(of: message.flow.server)
        if countsMessage {
            servers.record(message, id: server, isError: isError)
            totals.requests += 1
            protocolCounts[Self.protocolIndex(message.wireProtocol)] += 1
            let tally = tallyIndex(for: message.command)
            tallies[tally].count += 1
            switch message.status {
            case .ok: statusCounts[0] += 1
            case .miss: statusCounts[1] += 1
            case .error: statusCounts[2] += 1
            case .noReply: statusCounts[3] += 1
            }
            if isError { totals.errors += 1 }
            totals.firstNanos = min(totals.firstNanos, message.timestampNanos)
            totals.lastNanos = max(totals.lastNanos, message.timestampNanos)
            if let latency = message.latencyNanos {
                let micros = min(UInt64(max(0, latency / 1_000)), SparseHistogram.highestMicros)
                _ = service.record(micros)
                _ = tallies[tally].latency.record(micros)
            }
        }
        if windows.opensWindow(at: message.timestampNanos) {
            let name = slotNamer
            windows.advance(to: message.timestampNanos, keyOf: name)
        }
        windows.record(
            timestampNanos: message.timestampNanos, latencyNanos: message.latencyNanos,
            countsRequest: countsMessage)
        guard !message.keys.isEmpty else { return }
        if message.operation == .other, message.wireProtocol == .amqp, let binding = QueueBinding(message) {
            // A binding's names are not hot keys; every shard keeps it (the sets merge by union).
            var set = bindings ?? QueueBindingSet()
            set.insert(binding)
            bindings = set
            return
        }
        let share = message.keys.count
        let requestBytes = message.requestBytes / share
        let client = message.flow.client.addressHigh ^ (message.flow.client.addressLow &* 0x9e37_79b9_7f4a_7c15)
        let second = message.timestampNanos / 1_000_000_000
        for reference in message.keys {
            if shardCount > 1, Self.shard(ofHash: reference.key.hash64, count: shardCount) != shard { continue }
            totals.keyReferences += 1
            let slot: Int
            let count: Int
            var entry: Int32
            if reference.index >= 0, Int(reference.index) < indexSlots {
                slot = Int(reference.index)
                count = indexed.increment(slot)
                entry = indexed.candidate(of: slot)
                if count == 1 {
                    // Adding a key to the sketch again changes nothing: once, at its first reference, is enough.
                    distinct.add(hash: reference.key.hash64)
                    indexedKeys += 1
                }
            } else {
                distinct.add(hash: reference.key.hash64)
                let (summarySlot, replaced) = summary.increment(reference.key)
                slot = indexSlots + summarySlot
                entry = summary.candidate(of: summarySlot)
                if replaced {
                    // Space-Saving replaces keys all the time on a wide key space: the evicted key's
                    // statistics entry (if it had one) is free for the next candidate.
                    if entry >= 0 {
                        candidates.release(entry)
                        summary.setCandidate(-1, of: summarySlot)
                        entry = -1
                    }
                    windows.forget(slot: slot)
                    if let next = summary.prefetchNextVictims() { windows.prefetch(slot: indexSlots + next) }
                }
                count = summary.count(of: summarySlot)
                // Numbered keys' prefixes are counted from their exact counts when a result is built.
                countPrefix(of: reference.key)
            }
            windows.count(slot: slot)
            if entry >= 0 {
                candidates.noteCount(count, of: entry)
            } else if let promoted = candidates.promote(slot: slot, count: count) {
                if promoted.demoted >= 0 { setCandidate(-1, ofSlot: Int(promoted.demoted)) }
                setCandidate(promoted.entry, ofSlot: slot)
                entry = promoted.entry
            }
            if entry >= 0 {
                candidates.withStatistics(of: entry) { stats in
                    Self.update(
                        &stats, reference: reference, message: message, requestBytes: requestBytes,
                        share: share, isError: isError, client: client, second: second)
                    stats.recordServer(server)
                }
            }
        }
    }

    /// The candidate entry of the key in `slot` (either tier's; see `indexed`).
    @inline(__always)
    private mutating func setCandidate(_ entry: Int32, ofSlot slot: Int) {
        if slot < indexSlots {
            indexed.setCandidate(entry, of: slot)
        } else {
            summary.setCandidate(entry, of: slot - indexSlots)
        }
    }

    /// Names the key of a slot of either tier (for the windows).
    private var slotNamer: (Int) -> Key {
        let summary = summary
        let indexSlots = indexSlots
        guard let keySpace else { return { summary.key(of: $0 - indexSlots) } }
        return { $0 < indexSlots ? keySpace.name($0) : summary.key(of: $0 - indexSlots) }
    }

    /// The messages in order, as `receive` would take them one by one, with the memory of later
    /// messages' keys requested ahead: their table entries `lookahead` messages ahead, their counters and
    /// statistics half as far (by then the entry that names their slot is in cache). On a key space
    /// larger than the caches each lookup is a chain of misses; this overlaps them.
    mutating func receive(contentsOf messages: [Message]) {
        let lookahead = 8
        messages.withUnsafeBufferPointer { buffer in
            // Read through the pointer (an addressor): through the buffer's subscript each message
            // was copied out, and destroyed after, for every call.
            guard let base = buffer.baseAddress else { return }
            for index in buffer.indices {
                if index + lookahead < buffer.count, let first = (base + index + lookahead).pointee.keys.first,
                    first.index < 0 || Int(first.index) >= indexSlots
                {
                    summary.prefetchIndex(hash: first.key.hash64)
                }
                if index + lookahead / 2 < buffer.count { prefetchSlot(of: (base + index + lookahead / 2).pointee) }
                receive((base + index).pointee)
            }
        }
    }

    /// The candidates' statistics are few enough to stay in cache: only the counter and the
    /// window count are fetched ahead.
    @inline(__always)
    private func prefetchSlot(of message: Message) {
        guard let first = message.keys.first else { return }
        if first.index >= 0, Int(first.index) < indexSlots {
            indexed.prefetch(Int(first.index))
            windows.prefetch(slot: Int(first.index))
            return
        }
        guard let slot = summary.prefetchCounter(hash: first.key.hash64) else { return }
        windows.prefetch(slot: indexSlots + slot)
    }

    /// A workload uses a handful of commands: comparing against the first few is cheaper than hashing.
    private mutating func tallyIndex(for command: String) -> Int {
        for index in 0..<min(tallies.count, 8) where tallies[index].name == command { return index }
        if let existing = tallyIndex[command] { return existing }
        tallies.append(CommandTally(name: command))
        tallyIndex[command] = tallies.count - 1
        return tallies.count - 1
    }

    @inline(__always)
    private static func update(
        _ stats: inout KeyStatistics, reference: KeyReference, message: Message,
        requestBytes: Int, share: Int, isError: Bool, client: UInt64, second: Int64
    ) {
        if stats.wireProtocol == nil { stats.wireProtocol = message.wireProtocol }
        stats.requests += 1
        switch message.operation {
        case .read: stats.reads += 1
        case .write: stats.writes += 1
        case .other: break
        }
        stats.requestBytes += requestBytes
        let replyBytes = reference.valueBytes > 0 ? reference.valueBytes : message.replyBytes / share
        stats.replyBytes += replyBytes
        stats.maxReplyBytes = max(stats.maxReplyBytes, replyBytes)
        if let hit = reference.hit {
            if hit { stats.hits += 1 } else { stats.misses += 1 }
        } else if case .miss = message.status {
            stats.misses += 1
        } else if case .ok = message.status, message.operation == .read {
            stats.hits += 1
        }
        if isError { stats.errors += 1 }
        if let latency = message.latencyNanos { stats.latency.record(latency) }
        stats.firstSeenNanos = min(stats.firstSeenNanos, message.timestampNanos)
        stats.lastSeenNanos = max(stats.lastSeenNanos, message.timestampNanos)
        if second == stats.currentSecond {
            stats.currentSecondCount += 1
        } else {
            stats.currentSecond = second
            stats.currentSecondCount = 1
        }
        stats.peakPerSecond = max(stats.peakPerSecond, stats.currentSecondCount)
        stats.clients.record(client)
    }

    /// Counts the prefix of `key`, if it has one. A workload names few prefixes, in long runs: while
    /// keys start with the last prefix's bytes (its delimiters included, so theirs is the same), that
    /// prefix is counted again without building and hashing it anew (7 % of an analysis shard's
    /// samples on the bench capture, whose keys share one prefix).
    private mutating func countPrefix(of key: Key) {
        guard configuration.prefixCapacity > 0 else { return }
        if let lastPrefix,
            key.withByteView({ bytes in
                lastPrefix.withByteView { last in bytes.hasPrefix(last.prefix(upTo: last.count - 1)) }
            })
        {
            _ = prefixes.increment(lastPrefix)
            return
        }
        guard let prefix = prefix(of: key) else { return }
        lastPrefix = prefix
        _ = prefixes.increment(prefix)
    }

    /// `user:*` for `user:42` at depth 1; nil when the key has fewer delimiters than the depth.
    /// Built on the stack: a prefix of an inline key is inline too, so this allocates nothing.
    private func prefix(of key: Key) -> Key? {
        let delimiter = configuration.prefixDelimiter
        let depth = configuration.prefixDepth
        return key.withByteView { bytes -> Key? in
            var seen = 0
            for index in bytes.indices where bytes[index] == delimiter {
                seen += 1
                guard seen == depth else { continue }
                return withUnsafeTemporaryAllocation(byteCount: index + 2, alignment: 1) { buffer -> Key in
                    bytes.prefix(upTo: index + 1).withUnsafeBytes { buffer.copyMemory(from: $0) }
                    buffer[index + 1] = UInt8(ascii: "*")
                    return Key(ByteView(UnsafeRawBufferPointer(buffer)))
                }
            }
            return nil
        }
    }

    /// A tracked key as a result holds it: with the statistics of its candidate entry (-1: none).
    private func trackedKey(_ key: Key, count: Int, error: Int, candidate: Int32) -> TrackedKey {
        guard candidate >= 0 else {
            // Never a candidate: nothing measured beyond the count.
            return TrackedKey(key: key, count: count, error: error, statisticsSince: count)
        }
        let entry = Int(candidate)
        return TrackedKey(
            key: key, count: count, error: error, statistics: candidates.statistics[entry],
            statisticsSince: candidates.since[entry])
    }

    /// The numbered keys counted so far (exact: error 0), highest count first, ties by key. With a
    /// `limit` (a live view, once a second) only that many, in one pass over the counts, ties by
    /// number: naming every tied key to compare them would cost more than the view is worth.
    private func numberedKeys(_ keySpace: KeyIndexSpace, limit: Int?) -> [TrackedKey] {
        var chosen: [(number: Int, count: Int)] = []
        if let limit {
            guard limit > 0 else { return [] }
            chosen.reserveCapacity(limit + 1)
            // Numbers come in increasing order: a key equal to the last kept never displaces it.
            for number in indexed.counted {
                let count = indexed.count(of: number)
                if chosen.count == limit, let last = chosen.last, count <= last.count { continue }
                var position = chosen.count
                while position > 0 && count > chosen[position - 1].count { position -= 1 }
                chosen.insert((number, count), at: position)
                if chosen.count > limit { chosen.removeLast() }
            }
        } else {
            chosen = indexed.counted.map { ($0, indexed.count(of: $0)) }
        }
        var tracked = chosen.map {
            trackedKey(keySpace.name($0.number), count: $0.count, error: 0, candidate: indexed.candidate(of: $0.number))
        }
        chosen = []
        // Sorted as the results themselves: a list of (number, key, count) beside them held another
        // 64 bytes a key at the peak, and sorted through generic tuple copies.
        if limit == nil { tracked.sort { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key } }
        return tracked
    }

    /// The summary's keys (`summarized`) and the numbered ones as one list, highest count first
    /// (ties by key), cut to `limit`. A key in both (a reference whose number did not reach the
    /// analyzer: `KeyList.takeIndices` keeps none when the parser named another key) is one entry:
    /// its exact numbered count plus what the summary counted, bounded as a merge bounds it.
    private func merging(_ summarized: [TrackedKey], _ numbered: [TrackedKey], limit: Int?) -> [TrackedKey] {
        guard !summarized.isEmpty else { return numbered }
        var merged = AnalysisSnapshot.combinedKeys(numbered, minimum: 0, summarized, minimum: summary.minimumCount)
        merged.sort { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        if let limit, merged.count > limit { merged.removeLast(merged.count - limit) }
        return merged
    }

    /// The prefixes of the numbered keys, summed from their exact counts, added to `summarized` (the
    /// other keys' prefixes, from their Space-Saving summary); at most the prefix capacity of them.
    private func numberedPrefixes(_ keySpace: KeyIndexSpace, adding summarized: [PrefixCount]) -> [PrefixCount] {
        var sums: [Key: (count: Int, error: Int)] = [:]
        for number in indexed.counted {
            guard let prefix = prefix(of: keySpace.name(number)) else { continue }
            sums[prefix, default: (0, 0)].count += indexed.count(of: number)
        }
        guard !sums.isEmpty else { return summarized }
        for other in summarized {
            sums[other.prefix, default: (0, 0)].count += other.count
            sums[other.prefix, default: (0, 0)].error += other.error
        }
        var merged = sums.map { PrefixCount(prefix: $0.key, count: $0.value.count, error: $0.value.error) }
        merged.sort { $0.count != $1.count ? $0.count > $1.count : $0.prefix < $1.prefix }
        if merged.count > configuration.prefixCapacity { merged.removeLast(merged.count - configuration.prefixCapacity) }
        return merged
    }

    private static func protocolIndex(_ wireProtocol: WireProtocol) -> Int {
        switch wireProtocol {
        case .resp: 0
        case .memcached: 1
        case .http: 2
        case .amqp: 3
        }
    }

    /// `keyLimit`: only the hottest keys, without prefixes or windows (a live view's snapshot,
    /// once a second on the analysing thread: it costs one pass over the counters, not a sort and a
    /// copy of every tracked key's statistics).
    func snapshot(keyLimit: Int? = nil) -> AnalysisSnapshot {
        let series =
            keyLimit == nil
            ? windows.finished(keyOf: slotNamer)
            : (originNanos: Int64(0), windowNanos: Int64(configuration.windowSeconds * 1e9), windows: [])
        var tracked: [TrackedKey] = []
        tracked.reserveCapacity(keyLimit.map { min($0, summary.count + indexedKeys) } ?? summary.count + indexedKeys)
        for slot in keyLimit.map({ summary.slotsByCount(limit: $0) }) ?? summary.slotsByCount() {
            let counter = summary.counter(at: slot)
            tracked.append(
                trackedKey(
                    counter.key, count: counter.count, error: counter.error, candidate: summary.candidate(of: slot)))
        }
        var prefixCounts = (keyLimit == nil ? prefixes.slotsByCount() : []).map {
            PrefixCount(prefix: prefixes.key(of: $0), count: prefixes.count(of: $0), error: prefixes.error(of: $0))
        }
        if let keySpace, indexedKeys > 0 {
            tracked = merging(tracked, numberedKeys(keySpace, limit: keyLimit), limit: keyLimit)
            if keyLimit == nil { prefixCounts = numberedPrefixes(keySpace, adding: prefixCounts) }
        }
        var totals = self.totals
        for proto in WireProtocol.allCases where protocolCounts[Self.protocolIndex(proto)] > 0 {
            totals.byProtocol[proto.rawValue] = protocolCounts[Self.protocolIndex(proto)]
        }
        for tally in tallies { totals.byCommand[tally.name] = tally.count }
        for (index, name) in ["ok", "miss", "error", "noReply"].enumerated() where statusCounts[index] > 0 {
            totals.byStatus[name] = statusCounts[index]
        }
        totals.replies = totals.requests - statusCounts[3]
        var byCommand: [String: SparseHistogram] = [:]
        for tally in tallies where tally.latency.totalCount > 0 { byCommand[tally.name] = SparseHistogram(tally.latency) }
        return AnalysisSnapshot(
            configuration: configuration, totals: totals, keys: tracked, evictions: summary.evictions,
            minimumCount: summary.minimumCount, prefixes: prefixCounts, distinct: distinct,
            service: SparseHistogram(service), byCommand: byCommand,
            windowOriginNanos: series.originNanos, windowNanos: series.windowNanos,
            windows: series.windows, servers: servers.servers.sorted { ($0.requests, $1.server) > ($1.requests, $0.server) },
            queueBindings: bindings)
    }
}
