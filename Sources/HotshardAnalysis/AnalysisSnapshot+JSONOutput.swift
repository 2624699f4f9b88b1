import Foundation
import HotshardProtocols

/// The snapshot's `Codable` form streamed to a `JSONOutput`, byte for byte what JSONEncoder
/// (`.sortedKeys`, `.withoutEscapingSlashes`) writes, without building the tree: the tracked keys,
/// prefixes and windows are written as they are walked; the small parts (configuration, totals,
/// per-command histograms) go through JSONEncoder and are spliced in. Members are in sorted order.
extension AnalysisSnapshot {
    public func writeJSON(to output: JSONOutput) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func encoded(_ value: some Encodable) throws {
            try encoder.encode(value).withUnsafeBytes { try output.raw($0) }
        }
        try output.raw("{\"byCommand\":")
        try encoded(byCommand)
        try output.raw(",\"configuration\":")
        try encoded(configuration)
        try output.raw(",\"distinct\":{\"registers\":")
        try Self.write(distinct.registers, to: output) { try output.uint64(UInt64($0)) }
        try output.raw("},\"evictions\":")
        try output.int(evictions)
        try output.raw(",\"keys\":")
        try Self.write(keys, to: output) { try $0.writeJSON(to: output) }
        try output.raw(",\"minimumCount\":")
        try output.int(minimumCount)
        try output.raw(",\"prefixes\":")
        try Self.write(prefixes, to: output) { prefix in
            try output.raw("{\"count\":")
            try output.int(prefix.count)
            try output.raw(",\"error\":")
            try output.int(prefix.error)
            try output.raw(",\"prefix\":")
            try prefix.prefix.writeJSONObject(to: output)
            try output.byte(UInt8(ascii: "}"))
        }
        try output.raw(",\"servers\":")
        try encoded(servers)
        try output.raw(",\"service\":")
        try service.writeJSON(to: output)
        try output.raw(",\"totals\":")
        try encoded(totals)
        try output.raw(",\"windowNanos\":")
        try output.int64(windowNanos)
        try output.raw(",\"windowOriginNanos\":")
        try output.int64(windowOriginNanos)
        try output.raw(",\"windows\":")
        try Self.write(windows, to: output) { try $0.writeJSON(to: output) }
        try output.byte(UInt8(ascii: "}"))
    }

    /// `[a,b,…]` with each element written by `element`.
    static func write<Elements: Collection>(
        _ elements: Elements, to output: JSONOutput,
        _ element: (Elements.Element) throws -> Void
    ) throws {
        try output.byte(UInt8(ascii: "["))
        var first = true
        for value in elements {
            if !first { try output.byte(UInt8(ascii: ",")) }
            first = false
            try element(value)
        }
        try output.byte(UInt8(ascii: "]"))
    }
}

extension TrackedKey {
    func writeJSON(to output: JSONOutput) throws {
        try output.raw("{\"count\":")
        try output.int(count)
        try output.raw(",\"error\":")
        try output.int(error)
        try output.raw(",\"key\":")
        try key.writeJSONObject(to: output)
        try output.raw(",\"statistics\":")
        try statistics.writeJSON(to: output)
        try output.byte(UInt8(ascii: "}"))
    }
}

extension KeyStatistics {
    func writeJSON(to output: JSONOutput) throws {
        try output.raw("{\"clients\":")
        try clients.writeJSON(to: output)
        try output.raw(",\"currentSecond\":")
        try output.int64(currentSecond)
        try output.raw(",\"currentSecondCount\":")
        try output.int(currentSecondCount)
        try output.raw(",\"errors\":")
        try output.int(errors)
        try output.raw(",\"firstSeenNanos\":")
        try output.int64(firstSeenNanos)
        try output.raw(",\"hits\":")
        try output.int(hits)
        try output.raw(",\"lastSeenNanos\":")
        try output.int64(lastSeenNanos)
        try output.raw(",\"latency\":")
        try latency.writeJSON(to: output)
        try output.raw(",\"maxReplyBytes\":")
        try output.int(maxReplyBytes)
        try output.raw(",\"misses\":")
        try output.int(misses)
        try output.raw(",\"offServerRequests\":")
        try output.int(offServerRequests)
        try output.raw(",\"otherServer\":")
        try output.uint64(otherServer)
        try output.raw(",\"peakPerSecond\":")
        try output.int(peakPerSecond)
        try output.raw(",\"protocolName\":")
        try output.string(protocolName)
        try output.raw(",\"reads\":")
        try output.int(reads)
        try output.raw(",\"replyBytes\":")
        try output.int(replyBytes)
        try output.raw(",\"requestBytes\":")
        try output.int(requestBytes)
        try output.raw(",\"requests\":")
        try output.int(requests)
        try output.raw(",\"server\":")
        try output.uint64(server)
        try output.raw(",\"writes\":")
        try output.int(writes)
        try output.byte(UInt8(ascii: "}"))
    }
}

extension ClientTally {
    func writeJSON(to output: JSONOutput) throws {
        try output.raw("{\"bitmap\":")
        try output.uint64(bitmap)
        try output.raw(",\"counts\":")
        try AnalysisSnapshot.write(counts, to: output) { try output.int($0) }
        try output.raw(",\"hashes\":")
        try AnalysisSnapshot.write(hashes, to: output) { try output.uint64($0) }
        try output.raw(",\"total\":")
        try output.int(total)
        try output.byte(UInt8(ascii: "}"))
    }
}

extension LogHistogram {
    /// Sparse, as `encode(to:)`: the non-empty buckets and their counts, and the precision they
    /// have (absent: the old quarter-octave buckets).
    func writeJSON(to output: JSONOutput) throws {
        try output.raw("{\"buckets\":")
        let used = nonEmptyBuckets
        try AnalysisSnapshot.write(used, to: output) { try output.int($0.bucket) }
        try output.raw(",\"counts\":")
        try AnalysisSnapshot.write(used, to: output) { try output.uint64(UInt64($0.count)) }
        try output.raw(",\"maximum\":")
        try output.int64(maximum)
        try output.raw(",\"significantDigits\":")
        try output.int(Self.significantDigits)
        try output.raw(",\"total\":")
        try output.int(total)
        try output.byte(UInt8(ascii: "}"))
    }
}

extension SparseHistogram {
    func writeJSON(to output: JSONOutput) throws {
        try output.raw("{\"counts\":")
        try AnalysisSnapshot.write(counts, to: output) { try output.uint64($0) }
        try output.raw(",\"values\":")
        try AnalysisSnapshot.write(values, to: output) { try output.uint64($0) }
        try output.byte(UInt8(ascii: "}"))
    }
}

extension WindowSeries.Window {
    /// `latency` only when something was paired, as `encode(to:)`.
    func writeJSON(to output: JSONOutput) throws {
        try output.byte(UInt8(ascii: "{"))
        if latency.total > 0 {
            try output.raw("\"latency\":")
            try latency.writeJSON(to: output)
            try output.byte(UInt8(ascii: ","))
        }
        try output.raw("\"requests\":")
        try output.int(requests)
        try output.raw(",\"top\":")
        try AnalysisSnapshot.write(top, to: output) { entry in
            try output.raw("{\"count\":")
            try output.int(entry.count)
            try output.raw(",\"key\":")
            try entry.key.writeJSONObject(to: output)
            try output.byte(UInt8(ascii: "}"))
        }
        try output.byte(UInt8(ascii: "}"))
    }
}
