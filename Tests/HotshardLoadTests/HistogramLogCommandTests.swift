import Foundation
import HotshardTestSupport
import Testing

extension RealServerSuites {
    /// `replay --hlog`: the interval log of a replay (1.5 s at 2,000/s of a lab capture's reads
    /// against a real redis-server), read back by the PyPI hdrhistogram package's log reader, adds
    /// up to the result's corrected and service histograms. (`load --hlog` is checked by the
    /// two-shard test.)
    @Suite struct HistogramLogCommandTests {
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func replayIntervalLogAddsUpToTheResult() throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-replay-hlog")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = directory.appendingPathComponent("replay.json").path
            let log = directory.appendingPathComponent("replay.hlog").path
            guard
                let run = try ShardedLoadCommandTests.run([
                    "replay", ReplayTestSupport.lab("redis-pipelined.pcap.gz"), "--target", "redis://127.0.0.1:\(server.port)",
                    "--port", "resp=16379", "--rate", "2000", "--duration", "1500ms", "--loop", "0", "--only-reads",
                    "--json", result, "--no-html", "--quiet", "--hlog", log, "--schemes", "ketama", "--nodes", "1-4",
                ])
            else { return }
            #expect(run.status == 0, "\(run.stderr)")
            try ShardedLoadCommandTests.expectIntervalLog(log, result: result)
        }
    }
}
