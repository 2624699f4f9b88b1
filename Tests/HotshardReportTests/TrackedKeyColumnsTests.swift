import Foundation
import HotshardCapture
import HotshardProtocols
import Testing

@testable import HotshardAnalysis
@testable import HotshardReport

/// The summary state's tracked keys as columns: every key (short, long, not UTF-8) with its count,
/// bound, `statisticsSince` and statistics comes back; states written one object per key are still
/// read; columns that disagree are an error naming the column.
@Suite struct TrackedKeyColumnsTests {
    static let longKey = Key(Array(repeating: UInt8(ascii: "x"), count: 100))
    static let binaryKey = Key([0xff, 0x00, 0xfe])

    /// Capacity 10 and 2 candidates over a known stream: `a` ×3, the long key ×2, the binary key ×1.
    static func snapshot() -> AnalysisSnapshot {
        var configuration = AnalysisConfiguration()
        configuration.capacity = 10
        configuration.candidateCapacity = 2
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let flow = FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 50_000), server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)
        let stream = [Key("a"), Key("a"), Key("a"), longKey, longKey, binaryKey]
        for (index, key) in stream.enumerated() {
            analyzer.receive(
                Message(
                    timestampNanos: Int64(index) * 1_000, flow: flow, wireProtocol: .resp, command: "GET", operation: .read,
                    keys: KeyList([KeyReference(key: key)]), requestBytes: 20, replyBytes: 5, status: .ok, latencyNanos: 7_000))
        }
        return analyzer.snapshot()
    }

    static func rows(_ keys: [TrackedKey]) -> [String] {
        keys.map { "\($0.key.bytes) \($0.count) \($0.error) \($0.statisticsSince) \($0.statistics.reads) \($0.statistics.requestBytes)" }
    }

    @Test func everyKeyComesBack() throws {
        let snapshot = Self.snapshot()
        #expect(snapshot.keys.map(\.key) == [Key("a"), Self.longKey, Self.binaryKey])
        // The binary key found both candidate entries taken by keys with higher counts: nothing measured.
        #expect(snapshot.keys.map(\.statisticsSince) == [0, 0, 1])
        #expect(snapshot.keys.map(\.statistics.reads) == [3, 2, 0])
        let read = try BinaryDecoder.decode(AnalysisSnapshot.self, from: try BinaryEncoder.encode(snapshot))
        #expect(Self.rows(read.keys) == Self.rows(snapshot.keys))
        let json = try JSONDecoder().decode(AnalysisSnapshot.self, from: try JSONEncoder().encode(snapshot))
        #expect(Self.rows(json.keys) == Self.rows(snapshot.keys))
    }

    /// A tracked key as states before the columns wrote it: one object per key.
    struct Row: Encodable {
        var key: Key
        var count: Int
        var error: Int
        var statistics: KeyStatistics?
        var statisticsSince: Int
    }

    @Test func keysWrittenOneObjectEachAreRead() throws {
        let keys = Self.snapshot().keys
        let rows = keys.map {
            Row(
                key: $0.key, count: $0.count, error: $0.error,
                statistics: $0.statistics.requests > 0 ? $0.statistics : nil, statisticsSince: $0.statisticsSince)
        }
        let binary = try BinaryDecoder.decode(TrackedKeyColumns.self, from: try BinaryEncoder.encode(rows))
        #expect(Self.rows(binary.wrappedValue) == Self.rows(keys))
        let json = try JSONDecoder().decode(TrackedKeyColumns.self, from: try JSONEncoder().encode(rows))
        #expect(Self.rows(json.wrappedValue) == Self.rows(keys))
    }

    struct Columns: Encodable {
        var keyBytes: [UInt8] = Array("abc".utf8)
        var keyLengths = [1, 2]
        var counts = [5, 4]
        var errors = [0, 0]
        var statisticsSince = [5, 4]
        var measuredRows: [Int] = []
        var statistics: [Int] = []
    }

    enum Damage: String, CaseIterable, Sendable {
        case keyLengths, keyBytes, counts, statistics

        func apply(to columns: inout Columns) {
            switch self {
            case .keyLengths: columns.keyLengths = [1, 5]
            case .keyBytes: columns.keyLengths = [1, 1]
            case .counts: columns.counts = [5]
            case .statistics: columns.measuredRows = [2]
            }
        }
    }

    /// Each damage names the column that disagrees (the raw value).
    @Test(arguments: Damage.allCases)
    func disagreeingColumnsNameTheColumn(damage: Damage) throws {
        let column = damage.rawValue
        var columns = Columns()
        damage.apply(to: &columns)
        do {
            _ = try BinaryDecoder.decode(TrackedKeyColumns.self, from: try BinaryEncoder.encode(columns))
            Issue.record("damaged \(column) was read")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.last?.stringValue == column, "\(context)")
        }
    }
}
