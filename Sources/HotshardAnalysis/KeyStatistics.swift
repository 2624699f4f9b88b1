import HotshardProtocols

/// Everything measured about one tracked key. Reset when Space-Saving gives its slot to another key.
struct KeyStatistics: Codable, Sendable {
    var protocolName: String = ""
    var requests = 0
    var reads = 0
    var writes = 0
    var requestBytes = 0
    var replyBytes = 0
    var maxReplyBytes = 0
    var hits = 0
    var misses = 0
    var errors = 0
    var latency = LogHistogram()
    var firstSeenNanos: Int64 = .max
    var lastSeenNanos: Int64 = .min
    var currentSecond: Int64 = .min
    var currentSecondCount = 0
    var peakPerSecond = 0
    var clients = ClientTally()

    /// Back to a fresh key's statistics, keeping the storage of the histogram and client tally.
    mutating func reset() {
        var histogram = latency
        var tally = clients
        latency = LogHistogram()
        clients = ClientTally()
        histogram.reset()
        tally.reset()
        self = KeyStatistics()
        latency = histogram
        clients = tally
    }

    mutating func merge(_ other: KeyStatistics) {
        if protocolName.isEmpty { protocolName = other.protocolName }
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
    }
}

/// Clients of one key: the busiest few counted exactly (Misra–Gries), distinct clients by a
/// 64-bit linear-counting bitmap (exact enough for the dozens, an estimate beyond).
struct ClientTally: Codable, Sendable {
    static let tracked = 8
    var hashes: [UInt64] = []
    var counts: [Int] = []
    var bitmap: UInt64 = 0
    var total = 0

    mutating func record(_ client: UInt64) {
        total += 1
        bitmap |= 1 << (HyperLogLog.mix(client) & 63)
        if let index = hashes.firstIndex(of: client) {
            counts[index] += 1
        } else if hashes.count < Self.tracked {
            hashes.append(client)
            counts.append(1)
        } else {
            // Misra–Gries: decrement all; drop zeros.
            for index in counts.indices { counts[index] -= 1 }
            while let zero = counts.firstIndex(of: 0) {
                counts.remove(at: zero)
                hashes.remove(at: zero)
            }
        }
    }

    mutating func reset() {
        hashes.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        bitmap = 0
        total = 0
    }

    mutating func merge(_ other: ClientTally) {
        bitmap |= other.bitmap
        total += other.total
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
