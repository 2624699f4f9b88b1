import Foundation
import HotshardProtocols

/// The snapshot read from JSON text in place (what `writeJSON` or JSONEncoder wrote, in any member
/// order and spacing), building the tracked keys, prefixes and windows directly; the small parts
/// go through JSONDecoder. Unknown members are skipped and optional ones may be absent, as with
/// `init(from:)`; errors name the member (`.keys[12].statistics.latency: …`).
extension AnalysisSnapshot {
    public init(json scanner: inout JSONScanner) throws {
        var configuration: AnalysisConfiguration?
        var totals: AnalysisTotals?
        var keys: [TrackedKey]?
        var evictions: Int?
        var minimumCount: Int?
        var prefixes: [PrefixCount]?
        var distinct: HyperLogLog?
        var service: SparseHistogram?
        var byCommand: [String: SparseHistogram]?
        var windowOriginNanos: Int64?
        var windowNanos: Int64?
        var windows: [WindowSeries.Window]?
        var servers: [ServerLoad] = []
        try scanner.object { name, scanner in
            if name == "keys" {
                keys = try scanner.array { try TrackedKey(json: &$0) }
            } else if name == "windows" {
                windows = try scanner.array { try WindowSeries.Window(json: &$0) }
            } else if name == "prefixes" {
                prefixes = try scanner.array { try PrefixCount(json: &$0) }
            } else if name == "service" {
                service = try SparseHistogram(json: &scanner)
            } else if name == "evictions" {
                evictions = try scanner.int()
            } else if name == "minimumCount" {
                minimumCount = try scanner.int()
            } else if name == "windowOriginNanos" {
                windowOriginNanos = try scanner.int64()
            } else if name == "windowNanos" {
                windowNanos = try scanner.int64()
            } else if name == "configuration" {
                configuration = try scanner.decoded(AnalysisConfiguration.self)
            } else if name == "totals" {
                totals = try scanner.decoded(AnalysisTotals.self)
            } else if name == "distinct" {
                distinct = try scanner.decoded(HyperLogLog.self)
            } else if name == "byCommand" {
                byCommand = try scanner.decoded([String: SparseHistogram].self)
            } else if name == "servers" {
                servers = try scanner.decoded([ServerLoad].self)
            } else {
                return false
            }
            return true
        }
        self.init(
            configuration: try scanner.required(configuration, "configuration"),
            totals: try scanner.required(totals, "totals"), keys: try scanner.required(keys, "keys"),
            evictions: try scanner.required(evictions, "evictions"),
            minimumCount: try scanner.required(minimumCount, "minimumCount"),
            prefixes: try scanner.required(prefixes, "prefixes"),
            distinct: try scanner.required(distinct, "distinct"), service: try scanner.required(service, "service"),
            byCommand: try scanner.required(byCommand, "byCommand"),
            windowOriginNanos: try scanner.required(windowOriginNanos, "windowOriginNanos"),
            windowNanos: try scanner.required(windowNanos, "windowNanos"),
            windows: try scanner.required(windows, "windows"), servers: servers)
    }
}

extension JSONScanner {
    /// The next value through JSONDecoder: for the small parts, where speed does not matter.
    mutating func decoded<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let start = offset
        let text = try valueBytes()
        do {
            return try JSONDecoder().decode(type, from: Data(text))
        } catch {
            throw JSONScanError(message: "\(error)", offset: start)
        }
    }
}

extension TrackedKey {
    init(json scanner: inout JSONScanner) throws {
        var count: Int?
        var error: Int?
        var key: Key?
        var statistics: KeyStatistics?
        try scanner.object { name, scanner in
            if name == "count" {
                count = try scanner.int()
            } else if name == "error" {
                error = try scanner.int()
            } else if name == "key" {
                key = try Key(json: &scanner)
            } else if name == "statistics" {
                statistics = try KeyStatistics(json: &scanner)
            } else {
                return false
            }
            return true
        }
        self.init(
            key: try scanner.required(key, "key"), count: try scanner.required(count, "count"),
            error: try scanner.required(error, "error"), statistics: try scanner.required(statistics, "statistics"))
    }
}

extension PrefixCount {
    init(json scanner: inout JSONScanner) throws {
        var count: Int?
        var error: Int?
        var prefix: Key?
        try scanner.object { name, scanner in
            if name == "count" {
                count = try scanner.int()
            } else if name == "error" {
                error = try scanner.int()
            } else if name == "prefix" {
                prefix = try Key(json: &scanner)
            } else {
                return false
            }
            return true
        }
        self.init(
            prefix: try scanner.required(prefix, "prefix"), count: try scanner.required(count, "count"),
            error: try scanner.required(error, "error"))
    }
}

extension KeyStatistics {
    init(json scanner: inout JSONScanner) throws {
        var protocolName: String?
        var requests: Int?, reads: Int?, writes: Int?, requestBytes: Int?, replyBytes: Int?, maxReplyBytes: Int?
        var hits: Int?, misses: Int?, errors: Int?, currentSecondCount: Int?, peakPerSecond: Int?
        var firstSeenNanos: Int64?, lastSeenNanos: Int64?, currentSecond: Int64?
        var latency: LogHistogram?
        var clients: ClientTally?
        // Absent in states written before servers were tallied.
        var server: UInt64 = 0, offServerRequests = 0, otherServer: UInt64 = 0
        try scanner.object { name, scanner in
            if name == "clients" {
                clients = try ClientTally(json: &scanner)
            } else if name == "currentSecond" {
                currentSecond = try scanner.int64()
            } else if name == "currentSecondCount" {
                currentSecondCount = try scanner.int()
            } else if name == "errors" {
                errors = try scanner.int()
            } else if name == "firstSeenNanos" {
                firstSeenNanos = try scanner.int64()
            } else if name == "hits" {
                hits = try scanner.int()
            } else if name == "lastSeenNanos" {
                lastSeenNanos = try scanner.int64()
            } else if name == "latency" {
                latency = try LogHistogram(json: &scanner)
            } else if name == "maxReplyBytes" {
                maxReplyBytes = try scanner.int()
            } else if name == "misses" {
                misses = try scanner.int()
            } else if name == "peakPerSecond" {
                peakPerSecond = try scanner.int()
            } else if name == "server" {
                server = try scanner.uint64()
            } else if name == "offServerRequests" {
                offServerRequests = try scanner.int()
            } else if name == "otherServer" {
                otherServer = try scanner.uint64()
            } else if name == "protocolName" {
                protocolName = try scanner.string()
            } else if name == "reads" {
                reads = try scanner.int()
            } else if name == "replyBytes" {
                replyBytes = try scanner.int()
            } else if name == "requestBytes" {
                requestBytes = try scanner.int()
            } else if name == "requests" {
                requests = try scanner.int()
            } else if name == "writes" {
                writes = try scanner.int()
            } else {
                return false
            }
            return true
        }
        self.init()
        wireProtocol = WireProtocol(rawValue: try scanner.required(protocolName, "protocolName"))
        self.requests = try scanner.required(requests, "requests")
        self.reads = try scanner.required(reads, "reads")
        self.writes = try scanner.required(writes, "writes")
        self.requestBytes = try scanner.required(requestBytes, "requestBytes")
        self.replyBytes = try scanner.required(replyBytes, "replyBytes")
        self.maxReplyBytes = try scanner.required(maxReplyBytes, "maxReplyBytes")
        self.hits = try scanner.required(hits, "hits")
        self.misses = try scanner.required(misses, "misses")
        self.errors = try scanner.required(errors, "errors")
        self.latency = try scanner.required(latency, "latency")
        self.firstSeenNanos = try scanner.required(firstSeenNanos, "firstSeenNanos")
        self.lastSeenNanos = try scanner.required(lastSeenNanos, "lastSeenNanos")
        self.currentSecond = try scanner.required(currentSecond, "currentSecond")
        self.currentSecondCount = try scanner.required(currentSecondCount, "currentSecondCount")
        self.peakPerSecond = try scanner.required(peakPerSecond, "peakPerSecond")
        self.clients = try scanner.required(clients, "clients")
        self.server = server
        self.offServerRequests = offServerRequests
        self.otherServer = otherServer
    }
}

extension ClientTally {
    init(json scanner: inout JSONScanner) throws {
        var hashes: [UInt64]?
        var counts: [Int]?
        var bitmap: UInt64?
        var total: Int?
        try scanner.object { name, scanner in
            if name == "bitmap" {
                bitmap = try scanner.uint64()
            } else if name == "counts" {
                counts = try scanner.array { try $0.int() }
            } else if name == "hashes" {
                hashes = try scanner.array { try $0.uint64() }
            } else if name == "total" {
                total = try scanner.int()
            } else {
                return false
            }
            return true
        }
        self.init(
            hashes: try scanner.required(hashes, "hashes"), counts: try scanner.required(counts, "counts"),
            bitmap: try scanner.required(bitmap, "bitmap"), total: try scanner.required(total, "total"))
    }
}

extension LogHistogram {
    init(json scanner: inout JSONScanner) throws {
        var buckets: [Int]?
        var counts: [UInt32]?
        var total: Int?
        var maximum: Int64?
        var significantDigits: Int?
        try scanner.object { name, scanner in
            if name == "buckets" {
                buckets = try scanner.array { try $0.int() }
            } else if name == "counts" {
                counts = try scanner.array { try $0.uint32() }
            } else if name == "total" {
                total = try scanner.int()
            } else if name == "maximum" {
                maximum = try scanner.int64()
            } else if name == "significantDigits" {
                significantDigits = try scanner.int()
            } else {
                return false
            }
            return true
        }
        self.init(
            buckets: try scanner.required(buckets, "buckets"), counts: try scanner.required(counts, "counts"),
            total: try scanner.required(total, "total"), maximum: try scanner.required(maximum, "maximum"),
            legacy: significantDigits == nil)
    }
}

extension SparseHistogram {
    init(json scanner: inout JSONScanner) throws {
        var values: [UInt64]?
        var counts: [UInt64]?
        try scanner.object { name, scanner in
            if name == "values" {
                values = try scanner.array { try $0.uint64() }
            } else if name == "counts" {
                counts = try scanner.array { try $0.uint64() }
            } else {
                return false
            }
            return true
        }
        self.init()
        self.values = try scanner.required(values, "values")
        self.counts = try scanner.required(counts, "counts")
    }
}

extension WindowSeries.Window {
    /// `latency` may be absent (summary states written before windows had latency).
    init(json scanner: inout JSONScanner) throws {
        var requests: Int?
        var top: [WindowSeries.KeyCount]?
        var latency = LogHistogram()
        try scanner.object { name, scanner in
            if name == "requests" {
                requests = try scanner.int()
            } else if name == "top" {
                top = try scanner.array { try WindowSeries.KeyCount(json: &$0) }
            } else if name == "latency" {
                if !scanner.null() { latency = try LogHistogram(json: &scanner) }
            } else {
                return false
            }
            return true
        }
        self.init(
            requests: try scanner.required(requests, "requests"), top: try scanner.required(top, "top"),
            latency: latency)
    }
}

extension WindowSeries.KeyCount {
    init(json scanner: inout JSONScanner) throws {
        var key: Key?
        var count: Int?
        try scanner.object { name, scanner in
            if name == "key" {
                key = try Key(json: &scanner)
            } else if name == "count" {
                count = try scanner.int()
            } else {
                return false
            }
            return true
        }
        self.init(key: try scanner.required(key, "key"), count: try scanner.required(count, "count"))
    }
}
