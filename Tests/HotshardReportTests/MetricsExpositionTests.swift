import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardReport
import HotshardTestSupport
import Testing

/// The Prometheus text rendering of `MetricsSnapshot`, on known answers: label escaping of keys
/// that are not printable UTF-8, cumulative buckets of known latencies, and a body that
/// `promtool check metrics` (Prometheus' own linter) accepts.
struct MetricsExpositionTests {
    /// Bytes 0xff (invalid UTF-8), a line feed, a double quote and a backslash: the key renders
    /// as `\xff\x0a"\\` (Key.escaped) and the format escapes that again.
    @Test func keyLabelsAreEscaped() {
        var snapshot = MetricsSnapshot(command: "top")
        snapshot.hotKeys = [(Key([0xff, 0x0a, UInt8(ascii: "\""), UInt8(ascii: "\\")]), 3)]
        let body = MetricsExposition.render(snapshot)
        #expect(body.contains(#"hotshard_key_requests_total{key="\\xff\\x0a\"\\\\"} 3"#))
        #expect(MetricsExposition.escapeLabelValue("a\"b\\c\nd") == #"a\"b\\c\nd"#)
    }

    /// 100 µs ×3, 2 ms ×2 and 20 s ×1 (above the last bound): cumulative counts per bound, the
    /// `+Inf` bucket is the count, the sum is 20.0043 s.
    @Test func latencyBucketsAreCumulative() {
        let buckets = LatencyBuckets(micros: [(100, 3), (2_000, 2), (20_000_000, 1)])
        let index = { (bound: Double) in LatencyBuckets.bounds.firstIndex(of: bound) ?? -1 }
        #expect(buckets.cumulative[index(0.00005)] == 0)
        #expect(buckets.cumulative[index(0.0001)] == 3)
        #expect(buckets.cumulative[index(0.001)] == 3)
        #expect(buckets.cumulative[index(0.0025)] == 5)
        #expect(buckets.cumulative[index(10)] == 5)
        #expect(buckets.count == 6)
        #expect(abs(buckets.sumSeconds - 20.0043) < 1e-9)
        var snapshot = MetricsSnapshot(command: "load")
        snapshot.service = buckets
        let body = MetricsExposition.render(snapshot)
        #expect(body.contains("hotshard_service_latency_seconds_bucket{le=\"0.0025\"} 5\n"))
        #expect(body.contains("hotshard_service_latency_seconds_bucket{le=\"+Inf\"} 6\n"))
        #expect(body.contains("hotshard_service_latency_seconds_count 6\n"))
    }

    @Test(.enabled(if: ExternalTool.find("promtool") != nil, "needs promtool (Debian prometheus): skipped"))
    func promtoolAcceptsEveryFamily() throws {
        var snapshot = MetricsSnapshot(command: "analyze")
        snapshot.requestsByCommand = ["GET": 10, "SET": 2]
        snapshot.errors = 1
        snapshot.repliesByStatus = ["ok": 9, "miss": 2, "error": 1]
        snapshot.service = LatencyBuckets(micros: [(150, 12)])
        snapshot.corrected = LatencyBuckets(micros: [(300, 12)])
        snapshot.hotKeys = [(Key(Array("user:1".utf8)), 7), (Key([0xfe, 0x00]), 3)]
        var capture = CaptureHealth()
        capture.packets = 40
        capture.bytes = 4_000
        capture.kernelDrops = 0
        capture.interfaceDrops = 0
        snapshot.capture = capture
        snapshot.inFlight = 2
        snapshot.droppedIntervals = 0
        snapshot.elapsedSeconds = 1.5
        let promtool = try #require(ExternalTool.find("promtool"))
        let check = try ExternalTool.run(promtool, ["check", "metrics"], stdin: Data(MetricsExposition.render(snapshot).utf8))
        #expect(check.status == 0 && check.stdout.isEmpty && check.stderr.isEmpty, "\(check.stdout)\(check.stderr)")
    }
}
