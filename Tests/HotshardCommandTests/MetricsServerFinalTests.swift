import Foundation
import HotshardReport
import Testing

@testable import hotshard

/// Once the final values (the result's) are published, a live snapshot that arrives late must not
/// replace them: a scraper's last sample is the result's.
@Suite struct MetricsServerFinalTests {
    @Test func aLateLiveSnapshotKeepsTheFinalValues() throws {
        let server = try MetricsServer(host: "127.0.0.1", port: 0)
        defer { server.stop() }
        guard let port = server.address.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            Issue.record("no port in \(server.address)")
            return
        }
        var final = MetricsSnapshot(command: "load")
        final.elapsedSeconds = 3.2
        final.finished = true
        server.publish(final)
        var live = MetricsSnapshot(command: "load")
        live.elapsedSeconds = 3.0
        server.publish(live)
        let body = try MetricsEndpointTests.get(port: port).body
        #expect(MetricsEndpointTests.sample(body, "hotshard_run_finished") == 1, "\(body)")
        #expect(MetricsEndpointTests.sample(body, "hotshard_run_elapsed_seconds") == 3.2, "\(body)")
    }
}
