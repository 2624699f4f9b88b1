import Foundation
import HotshardAnalysis
import HotshardProtocols

/// Reading a result document from JSON text: the big parts (`hotKeys`, up to millions of entries in
/// a plan's input, and `summaryState`) are read in place by `JSONScanner`; every other member is
/// handed to JSONDecoder as a small document of its own, so the rest of the schema has one
/// definition (its `Codable` conformance). Values, errors' member paths and what is optional are
/// as with JSONDecoder alone.
extension ResultDocument {
    public static func decode(json data: Data) throws -> ResultDocument {
        try data.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            var rest: [UInt8] = [UInt8(ascii: "{")]
            var hotKeys: [HotKeyEntry]?
            var summaryState: AnalysisSnapshot?
            try scanner.object { name, scanner in
                if name == "hotKeys" {
                    hotKeys = try scanner.array { try HotKeyEntry(json: &$0) }
                } else if name == "summaryState" {
                    summaryState = scanner.null() ? nil : try AnalysisSnapshot(json: &scanner)
                } else {
                    let value = try scanner.valueBytes()
                    if rest.count > 1 { rest.append(UInt8(ascii: ",")) }
                    rest.append(UInt8(ascii: "\""))
                    rest.append(contentsOf: name.raw)
                    rest.append(contentsOf: "\":".utf8)
                    rest.append(contentsOf: value)
                }
                return true
            }
            try scanner.end()
            if hotKeys != nil {
                // A stand-in, so that a missing `hotKeys` is reported by JSONDecoder as before.
                rest.append(contentsOf: (rest.count > 1 ? ",\"hotKeys\":[]" : "\"hotKeys\":[]").utf8)
            }
            rest.append(UInt8(ascii: "}"))
            var document = try JSONDecoder().decode(ResultDocument.self, from: Data(rest))
            if let hotKeys { document.hotKeys = hotKeys }
            document.summaryState = summaryState
            return document
        }
    }
}

extension ResultDocument.HotKeyEntry {
    /// One entry of `hotKeys`: the key flattened in (`key` or `keyBase64`), null or absent optionals nil.
    init(json scanner: inout JSONScanner) throws {
        var text: Key?, base64: Key?
        var wireProtocol: String?
        var count: Int?, errorBound: Int?, reads: Int?, writes: Int?, requestBytes: Int?, replyBytes: Int?
        var maxReplyBytes: Int?, hits: Int?, misses: Int?, errors: Int?, clients: Int?
        var guaranteed: Bool?
        var ratePerSecond: Double?, peakRatePerSecond: Double?, share: Double?
        var latencyMicros: ResultDocument.Percentiles?
        var topClientShare: Double?, hotSince: Double?, coolSince: Double?
        var server: String?, offServerRequests: Int?, otherServer: String?
        try scanner.object { name, scanner in
            if name == "key" {
                if !scanner.null() { text = try scanner.key(base64: false) }
            } else if name == "keyBase64" {
                base64 = try scanner.key(base64: true)
            } else if name == "protocol" {
                wireProtocol = try scanner.string()
            } else if name == "count" {
                count = try scanner.int()
            } else if name == "errorBound" {
                errorBound = try scanner.int()
            } else if name == "guaranteed" {
                guaranteed = try scanner.bool()
            } else if name == "reads" {
                reads = try scanner.int()
            } else if name == "writes" {
                writes = try scanner.int()
            } else if name == "requestBytes" {
                requestBytes = try scanner.int()
            } else if name == "replyBytes" {
                replyBytes = try scanner.int()
            } else if name == "maxReplyBytes" {
                maxReplyBytes = try scanner.int()
            } else if name == "hits" {
                hits = try scanner.int()
            } else if name == "misses" {
                misses = try scanner.int()
            } else if name == "errors" {
                errors = try scanner.int()
            } else if name == "ratePerSecond" {
                ratePerSecond = try scanner.double()
            } else if name == "peakRatePerSecond" {
                peakRatePerSecond = try scanner.double()
            } else if name == "share" {
                share = try scanner.double()
            } else if name == "latencyMicros" {
                latencyMicros = scanner.null() ? nil : try ResultDocument.Percentiles(json: &scanner)
            } else if name == "clients" {
                clients = try scanner.int()
            } else if name == "topClientShare" {
                topClientShare = scanner.null() ? nil : try scanner.double()
            } else if name == "hotSince" {
                hotSince = scanner.null() ? nil : try scanner.double()
            } else if name == "coolSince" {
                coolSince = scanner.null() ? nil : try scanner.double()
            } else if name == "server" {
                server = scanner.null() ? nil : try scanner.string()
            } else if name == "offServerRequests" {
                offServerRequests = scanner.null() ? nil : try scanner.int()
            } else if name == "otherServer" {
                otherServer = scanner.null() ? nil : try scanner.string()
            } else {
                return false
            }
            return true
        }
        self.init(
            key: try scanner.required(text ?? base64, "keyBase64"),
            wireProtocol: try scanner.required(wireProtocol, "protocol"), count: try scanner.required(count, "count"),
            errorBound: try scanner.required(errorBound, "errorBound"),
            guaranteed: try scanner.required(guaranteed, "guaranteed"), reads: try scanner.required(reads, "reads"),
            writes: try scanner.required(writes, "writes"),
            requestBytes: try scanner.required(requestBytes, "requestBytes"),
            replyBytes: try scanner.required(replyBytes, "replyBytes"),
            maxReplyBytes: try scanner.required(maxReplyBytes, "maxReplyBytes"),
            hits: try scanner.required(hits, "hits"), misses: try scanner.required(misses, "misses"),
            errors: try scanner.required(errors, "errors"),
            ratePerSecond: try scanner.required(ratePerSecond, "ratePerSecond"),
            peakRatePerSecond: try scanner.required(peakRatePerSecond, "peakRatePerSecond"),
            share: try scanner.required(share, "share"), latencyMicros: latencyMicros,
            clients: try scanner.required(clients, "clients"), topClientShare: topClientShare,
            hotSince: hotSince, coolSince: coolSince)
        self.server = server
        self.offServerRequests = offServerRequests
        self.otherServer = otherServer
    }
}

extension ResultDocument.Percentiles {
    init(json scanner: inout JSONScanner) throws {
        var p50: Double?, p90: Double?, p99: Double?, max: Double?
        try scanner.object { name, scanner in
            if name == "p50" {
                p50 = try scanner.double()
            } else if name == "p90" {
                p90 = try scanner.double()
            } else if name == "p99" {
                p99 = try scanner.double()
            } else if name == "max" {
                max = try scanner.double()
            } else {
                return false
            }
            return true
        }
        self.init(
            p50: try scanner.required(p50, "p50"), p90: try scanner.required(p90, "p90"),
            p99: try scanner.required(p99, "p99"), max: try scanner.required(max, "max"))
    }
}
