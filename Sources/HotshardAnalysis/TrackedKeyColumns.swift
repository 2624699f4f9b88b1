import HotshardProtocols

/// A summary state's tracked keys stored column by column: the keys' bytes end to end with their
/// lengths, then counts, error bounds and `statisticsSince` as arrays of numbers, and the
/// statistics only of the keys something was measured of (the candidates), with their rows.
/// Written row by row, a 100,000-key state cost ~0.2 s of CPU to encode in `Codable`'s per-member
/// machinery; as columns it is a few arrays the codec writes in one loop each. States written
/// before (one object per key) are still read.
@propertyWrapper
public struct TrackedKeyColumns: Codable, Sendable {
    public var wrappedValue: [TrackedKey]

    public init(wrappedValue: [TrackedKey]) { self.wrappedValue = wrappedValue }

    private enum CodingKeys: String, CodingKey {
        case keyBytes, keyLengths, counts, errors, statisticsSince, measuredRows, statistics
    }

    public func encode(to encoder: any Encoder) throws {
        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(wrappedValue.count * 16)
        var lengths: [Int] = [], counts: [Int] = [], errors: [Int] = [], since: [Int] = []
        var measuredRows: [Int] = []
        var statistics: [KeyStatistics] = []
        lengths.reserveCapacity(wrappedValue.count)
        counts.reserveCapacity(wrappedValue.count)
        errors.reserveCapacity(wrappedValue.count)
        since.reserveCapacity(wrappedValue.count)
        // Field by field in place: binding each element copied its statistics (~380 bytes) per key.
        for row in wrappedValue.indices {
            wrappedValue[row].key.withByteView { keyBytes.append(contentsOf: $0) }
            lengths.append(wrappedValue[row].key.count)
            counts.append(wrappedValue[row].count)
            errors.append(wrappedValue[row].error)
            since.append(wrappedValue[row].statisticsSince)
            if wrappedValue[row].statistics.requests > 0 {
                measuredRows.append(row)
                statistics.append(wrappedValue[row].statistics)
            }
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keyBytes, forKey: .keyBytes)
        try container.encode(lengths, forKey: .keyLengths)
        try container.encode(counts, forKey: .counts)
        try container.encode(errors, forKey: .errors)
        try container.encode(since, forKey: .statisticsSince)
        try container.encode(measuredRows, forKey: .measuredRows)
        try container.encode(statistics, forKey: .statistics)
    }

    public init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<CodingKeys>
        do {
            container = try decoder.container(keyedBy: CodingKeys.self)
        } catch DecodingError.typeMismatch {
            // Written before the columns: an array of one object per key.
            wrappedValue = try decoder.singleValueContainer().decode([TrackedKey].self)
            return
        }
        let keyBytes = try container.decode([UInt8].self, forKey: .keyBytes)
        let lengths = try container.decode([Int].self, forKey: .keyLengths)
        let counts = try container.decode([Int].self, forKey: .counts)
        let errors = try container.decode([Int].self, forKey: .errors)
        let since = try container.decode([Int].self, forKey: .statisticsSince)
        let measuredRows = try container.decode([Int].self, forKey: .measuredRows)
        let statistics = try container.decode([KeyStatistics].self, forKey: .statistics)
        let rows = lengths.count
        for (column, key) in [(counts.count, CodingKeys.counts), (errors.count, .errors), (since.count, .statisticsSince)]
        where column != rows {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(column) values for \(rows) keys")
        }
        guard measuredRows.count == statistics.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .statistics, in: container,
                debugDescription: "\(statistics.count) statistics for \(measuredRows.count) measured rows")
        }
        var keys: [TrackedKey] = []
        keys.reserveCapacity(rows)
        var offset = 0
        for row in 0..<rows {
            let length = lengths[row]
            guard length >= 0, length <= keyBytes.count - offset else {
                throw DecodingError.dataCorruptedError(
                    forKey: .keyLengths, in: container,
                    debugDescription: "key \(row)'s length \(length) runs past the \(keyBytes.count) key bytes")
            }
            keys.append(
                TrackedKey(
                    key: Key(Array(keyBytes[offset..<offset + length])), count: counts[row], error: errors[row],
                    statisticsSince: since[row]))
            offset += length
        }
        guard offset == keyBytes.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .keyBytes, in: container, debugDescription: "\(keyBytes.count - offset) key bytes belong to no key")
        }
        var previous = -1
        for (measured, row) in measuredRows.enumerated() {
            guard row > previous, row < rows else {
                throw DecodingError.dataCorruptedError(
                    forKey: .measuredRows, in: container,
                    debugDescription: "measured row \(row) is not after \(previous) and below \(rows)")
            }
            keys[row].statistics = statistics[measured]
            previous = row
        }
        wrappedValue = keys
    }
}
