import HotshardProtocols

/// Everything measured about one candidate for the top (`CandidateTier`). Reset when its entry goes
/// to another key. Plain values, side by side in one array, updated for every message: a new key's
/// statistics are 376 bytes (80 of them the latency histogram's inline form), and an update touches
/// their first cache lines. The one reference is the latency histogram's spill, for a key with more
/// than eight distinct latency buckets.
struct KeyStatistics: Codable, Sendable {
    var wireProtocol: WireProtocol?
    var requests = 0
    var reads = 0
    var writes = 0
    var requestBytes = 0
    var replyBytes = 0
    var maxReplyBytes = 0
    var hits = 0
    var misses = 0
    var errors = 0
    var firstSeenNanos: Int64 = .max
    var lastSeenNanos: Int64 = .min
    var currentSecond: Int64 = .min
    var currentSecondCount = 0
    var peakPerSecond = 0
    var latency = LogHistogram()
    var clients = ClientTally()
    /// The server of the key's first request (`ServerLoad.id`; 0 before it), the requests that went
    /// to another server, and the last such server: a key a scheme places on one server shows on
    /// exactly one, so any other is worth reporting.
    var server: UInt64 = 0
    var offServerRequests = 0
    var otherServer: UInt64 = 0

    init() {}

    @inline(__always)
    mutating func recordServer(_ id: UInt64) {
        if id == server { return }
        if server == 0 {
            server = id
        } else {
            offServerRequests += 1
            otherServer = id
        }
    }

    /// The protocol's name ("" before the first request).
    var protocolName: String { wireProtocol?.rawValue ?? "" }

    /// Back to a fresh key's statistics; the histogram clears only the buckets it used.
    /// Field by field, not by assigning a fresh value: that would copy the whole (mostly untouched)
    /// histogram twice on every eviction.
    mutating func reset() {
        wireProtocol = nil
        requests = 0
        reads = 0
        writes = 0
        requestBytes = 0
        replyBytes = 0
        maxReplyBytes = 0
        hits = 0
        misses = 0
        errors = 0
        latency.reset()
        firstSeenNanos = .max
        lastSeenNanos = .min
        currentSecond = .min
        currentSecondCount = 0
        peakPerSecond = 0
        clients.reset()
        server = 0
        offServerRequests = 0
        otherServer = 0
    }

    private enum CodingKeys: String, CodingKey {
        case protocolName, requests, reads, writes, requestBytes, replyBytes, maxReplyBytes, hits, misses, errors
        case latency, firstSeenNanos, lastSeenNanos, currentSecond, currentSecondCount, peakPerSecond, clients
        case server, offServerRequests, otherServer
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        wireProtocol = WireProtocol(rawValue: try container.decode(String.self, forKey: .protocolName))
        requests = try container.decode(Int.self, forKey: .requests)
        reads = try container.decode(Int.self, forKey: .reads)
        writes = try container.decode(Int.self, forKey: .writes)
        requestBytes = try container.decode(Int.self, forKey: .requestBytes)
        replyBytes = try container.decode(Int.self, forKey: .replyBytes)
        maxReplyBytes = try container.decode(Int.self, forKey: .maxReplyBytes)
        hits = try container.decode(Int.self, forKey: .hits)
        misses = try container.decode(Int.self, forKey: .misses)
        errors = try container.decode(Int.self, forKey: .errors)
        latency = try container.decode(LogHistogram.self, forKey: .latency)
        firstSeenNanos = try container.decode(Int64.self, forKey: .firstSeenNanos)
        lastSeenNanos = try container.decode(Int64.self, forKey: .lastSeenNanos)
        currentSecond = try container.decode(Int64.self, forKey: .currentSecond)
        currentSecondCount = try container.decode(Int.self, forKey: .currentSecondCount)
        peakPerSecond = try container.decode(Int.self, forKey: .peakPerSecond)
        clients = try container.decode(ClientTally.self, forKey: .clients)
        // Absent in states written before servers were tallied.
        server = try container.decodeIfPresent(UInt64.self, forKey: .server) ?? 0
        offServerRequests = try container.decodeIfPresent(Int.self, forKey: .offServerRequests) ?? 0
        otherServer = try container.decodeIfPresent(UInt64.self, forKey: .otherServer) ?? 0
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protocolName, forKey: .protocolName)
        try container.encode(requests, forKey: .requests)
        try container.encode(reads, forKey: .reads)
        try container.encode(writes, forKey: .writes)
        try container.encode(requestBytes, forKey: .requestBytes)
        try container.encode(replyBytes, forKey: .replyBytes)
        try container.encode(maxReplyBytes, forKey: .maxReplyBytes)
        try container.encode(hits, forKey: .hits)
        try container.encode(misses, forKey: .misses)
        try container.encode(errors, forKey: .errors)
        try container.encode(latency, forKey: .latency)
        try container.encode(firstSeenNanos, forKey: .firstSeenNanos)
        try container.encode(lastSeenNanos, forKey: .lastSeenNanos)
        try container.encode(currentSecond, forKey: .currentSecond)
        try container.encode(currentSecondCount, forKey: .currentSecondCount)
        try container.encode(peakPerSecond, forKey: .peakPerSecond)
        try container.encode(clients, forKey: .clients)
        try container.encode(server, forKey: .server)
        try container.encode(offServerRequests, forKey: .offServerRequests)
        try container.encode(otherServer, forKey: .otherServer)
    }

    mutating func merge(_ other: KeyStatistics) {
        if wireProtocol == nil { wireProtocol = other.wireProtocol }
        requests += other.requests
        reads += other.reads
        writes += other.writes
        requestBytes += other.requestBytes
        replyBytes += other.replyBytes
        maxReplyBytes = max(maxReplyBytes, other.maxReplyBytes)
        hits += other.hits
        misses += other.misses
        errors += other.errors
        latency.add(other.latency)
        firstSeenNanos = min(firstSeenNanos, other.firstSeenNanos)
        lastSeenNanos = max(lastSeenNanos, other.lastSeenNanos)
        peakPerSecond = max(peakPerSecond, other.peakPerSecond)
        clients.merge(other.clients)
        if server == 0 {
            server = other.server
        } else if other.server != 0, other.server != server {
            // The other part saw the key on another server: all of its requests there count as off.
            offServerRequests += other.requests - other.offServerRequests
            otherServer = other.server
        }
        offServerRequests += other.offServerRequests
        if other.otherServer != 0 { otherServer = other.otherServer }
    }
}

/// Clients of one key: the busiest few counted exactly (Misra–Gries), distinct clients by a
/// 64-bit linear-counting bitmap (exact enough for the dozens, an estimate beyond).
/// Stored inline, like `LogHistogram`: recording is on the per-message path.
struct ClientTally: Codable, Sendable {
    static let tracked = 8
    private var used = 0
    var bitmap: UInt64 = 0
    var total = 0
    /// Hash and count side by side: a key with one client touches one cache line.
    private var entries = InlineArray<8, (hash: UInt64, count: Int)>(repeating: (0, 0))

    init() {}

    /// From the stored form: at most `tracked` clients are kept.
    init(hashes: [UInt64], counts: [Int], bitmap: UInt64, total: Int) {
        self.bitmap = bitmap
        self.total = total
        for (hash, count) in zip(hashes, counts).prefix(Self.tracked) { append(hash, count) }
    }

    /// The tracked clients' hashes and counts, in the order they were first tracked.
    var hashes: [UInt64] { (0..<used).map { entries[$0].hash } }
    var counts: [Int] { (0..<used).map { entries[$0].count } }

    private enum CodingKeys: String, CodingKey { case hashes, counts, bitmap, total }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let hashes = try container.decode([UInt64].self, forKey: .hashes)
        let counts = try container.decode([Int].self, forKey: .counts)
        self.init(
            hashes: hashes, counts: counts, bitmap: try container.decode(UInt64.self, forKey: .bitmap),
            total: try container.decode(Int.self, forKey: .total))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hashes, forKey: .hashes)
        try container.encode(counts, forKey: .counts)
        try container.encode(bitmap, forKey: .bitmap)
        try container.encode(total, forKey: .total)
    }

    private mutating func append(_ hash: UInt64, _ count: Int) {
        entries[used] = (hash, count)
        used += 1
    }

    @inline(__always)
    mutating func record(_ client: UInt64) {
        total += 1
        bitmap |= 1 << (HyperLogLog.mix(client) & 63)
        for index in 0..<used where entries[index].hash == client {
            entries[index].count += 1
            return
        }
        if used < Self.tracked {
            append(client, 1)
            return
        }
        // Misra–Gries: decrement all; drop zeros, keeping the others' order.
        var kept = 0
        for index in 0..<used {
            let count = entries[index].count - 1
            guard count > 0 else { continue }
            entries[kept] = (entries[index].hash, count)
            kept += 1
        }
        used = kept
    }

    mutating func reset() {
        used = 0
        bitmap = 0
        total = 0
    }

    mutating func merge(_ other: ClientTally) {
        bitmap |= other.bitmap
        total += other.total
        var hashes = self.hashes, counts = self.counts
        for (hash, count) in zip(other.hashes, other.counts) {
            if let index = hashes.firstIndex(of: hash) {
                counts[index] += count
            } else {
                hashes.append(hash)
                counts.append(count)
            }
        }
        if hashes.count > Self.tracked {
            let order = counts.indices.sorted { counts[$0] > counts[$1] }.prefix(Self.tracked)
            hashes = order.map { hashes[$0] }
            counts = order.map { counts[$0] }
        }
        used = 0
        for (hash, count) in zip(hashes, counts) { append(hash, count) }
    }

    var distinct: Int {
        let zeros = 64 - bitmap.nonzeroBitCount
        guard zeros > 0 else { return max(64, hashes.count) }
        let estimate = Int((64.0 * log(64.0 / Double(zeros))).rounded())
        return max(estimate, Set(hashes).count)
    }

    /// The busiest client's share of this key's requests (a lower bound once Misra–Gries decremented).
    var topShare: Double? {
        guard total > 0, let top = counts.max() else { return nil }
        return Double(top) / Double(total)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
