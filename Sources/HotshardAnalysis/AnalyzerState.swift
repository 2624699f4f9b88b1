import Histogram
import HotshardBytes
import HotshardProtocols

/// The mutable state of `HotKeyAnalyzer` and the per-message update. A struct, so that the update
/// runs under one exclusive access instead of a dynamic check per field.
struct AnalyzerState {
    let configuration: AnalysisConfiguration
    /// Tier 1: every tracked key's count and error bound (they alone rank the keys and bound them).
    private var summary: StreamSummary
    /// Tier 2: full statistics for the candidates for the top (plain values, side by side).
    private var candidates: CandidateTier
    private var prefixes: StreamSummary
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

    init(configuration: AnalysisConfiguration, shard: Int = 0, of shardCount: Int = 1) {
        self.configuration = configuration
        self.shard = shard
        self.shardCount = max(1, shardCount)
        summary = StreamSummary(capacity: configuration.capacity)
        candidates = CandidateTier(capacity: configuration.effectiveCandidateCapacity)
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
            let summary = summary
            windows.advance(to: message.timestampNanos) { summary.key(of: $0) }
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
            distinct.add(hash: reference.key.hash64)
            let (slot, replaced) = summary.increment(reference.key)
            var entry = summary.candidate(of: slot)
            if replaced {
                // Space-Saving replaces keys all the time on a wide key space: the evicted key's
                // statistics entry (if it had one) is free for the next candidate.
                if entry >= 0 {
                    candidates.release(entry)
                    summary.setCandidate(-1, of: slot)
                    entry = -1
                }
                windows.forget(slot: slot)
                if let next = summary.prefetchNextVictims() { windows.prefetch(slot: next) }
            }
            windows.count(slot: slot)
            let count = summary.count(of: slot)
            if entry >= 0 {
                candidates.noteCount(count, of: entry)
            } else if let promoted = candidates.promote(slot: slot, count: count) {
                if promoted.demoted >= 0 { summary.setCandidate(-1, of: Int(promoted.demoted)) }
                summary.setCandidate(promoted.entry, of: slot)
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
            if let prefix = prefix(of: reference.key) { _ = prefixes.increment(prefix) }
        }
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
                if index + lookahead < buffer.count, let hash = (base + index + lookahead).pointee.keys.first?.key.hash64 {
                    summary.prefetchIndex(hash: hash)
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
        guard let hash = message.keys.first?.key.hash64, let slot = summary.prefetchCounter(hash: hash) else { return }
        windows.prefetch(slot: slot)
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
            ? windows.finished { summary.key(of: $0) }
            : (originNanos: Int64(0), windowNanos: Int64(configuration.windowSeconds * 1e9), windows: [])
        var tracked: [TrackedKey] = []
        tracked.reserveCapacity(keyLimit.map { min($0, summary.count) } ?? summary.count)
        for slot in keyLimit.map({ summary.slotsByCount(limit: $0) }) ?? summary.slotsByCount() {
            let counter = summary.counter(at: slot)
            let candidate = summary.candidate(of: slot)
            if candidate >= 0 {
                let entry = Int(candidate)
                tracked.append(
                    TrackedKey(
                        key: counter.key, count: counter.count, error: counter.error,
                        statistics: candidates.statistics[entry], statisticsSince: candidates.since[entry]))
            } else {
                // Never a candidate: nothing measured beyond the count.
                tracked.append(
                    TrackedKey(
                        key: counter.key, count: counter.count, error: counter.error, statisticsSince: counter.count))
            }
        }
        let prefixCounts = (keyLimit == nil ? prefixes.slotsByCount() : []).map {
            PrefixCount(prefix: prefixes.key(of: $0), count: prefixes.count(of: $0), error: prefixes.error(of: $0))
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
