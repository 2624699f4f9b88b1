import Foundation
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

extension RealServerSuites {
    /// A capture of any size streams through memory bounded by `ReplayOptions`: captures of N and
    /// 2N requests, replayed into a real redis-server, all arrive (the server's own counters), and
    /// what the replay held at most — the hand-over queue, the reorder heap, the captured request
    /// bytes — stays within the configured caps for both sizes. Counts, not timings.
    @Suite struct ReplayMemoryBoundTests {
        static func profile(requests: Int) -> String {
            """
            target: redis://127.0.0.1:6379
            connections: 4
            seed: 21
            arrival: {kind: constant, rate: 20000}
            requests: \(requests)
            keys: {count: 100000, format: "m:{n}", distribution: uniform}
            operations: [{op: GET, weight: 1}, {op: SET, weight: 1}]
            values: {size: 32}
            """
        }

        @Test(
            .enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"),
            arguments: ["max", "rate"])
        func peaksStayWithinTheCapsWhateverTheCaptureSize(timing: String) async throws {
            let directory = try Fixtures.temporaryDirectory("hotshard-replay-memory")
            defer { try? FileManager.default.removeItem(at: directory) }
            var options = ReplayOptions()
            options.timing = timing == "max" ? .max : .rate(20_000)
            options.pipeline = 8
            options.connections = 2
            options.maxQueuedRequests = 100
            options.maxBytesTotal = 64 << 10
            options.captureKeyCapacity = 50
            for requests in [3_000, 6_000] {
                let path = directory.appendingPathComponent("m\(requests).pcap").path
                let summary = try TrafficSynthesizer(profile: try LoadTestSupport.profile(Self.profile(requests: requests)))
                    .write(to: path)
                #expect(summary.requests == requests)
                let server = try RealServer(.redis)
                defer { LoadTestSupport.stop(server) }
                let run = try await ReplayTestSupport.replay([path], to: server, scheme: .redis, options: options)
                let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
                print(
                    "replay memory (\(timing), \(requests) requests): queued ≤ \(run.peakQueued), reordered ≤ \(run.peakReordered), bytes ≤ \(run.peakHeldBytes), capture keys \(run.captureAnalysis.keys.count); server \(calls)"
                )
                // Everything was read and handed over, whatever the caps; the server saw what was sent.
                // (At a fixed rate a request that waits behind `maxQueuedRequests` others for a
                // connection is dropped, and counted: the backlog has the same cap.)
                #expect(run.skipped.isEmpty)
                #expect(calls["GET", default: 0] + calls["SET", default: 0] == run.load.requestsSent)
                #expect(run.load.requestsSent + run.load.dropped == requests)
                if timing == "max" { #expect(run.load.requestsSent == requests) }
                // The bounds are the configuration's, not the capture's.
                #expect(run.peakQueued > 0 && run.peakQueued <= options.maxQueuedRequests)
                #expect(run.peakReordered <= options.maxQueuedRequests)
                if timing == "max" { #expect(run.peakReordered == 0) }
                #expect(run.peakHeldBytes <= options.maxBytesTotal)
                #expect(run.captureAnalysis.keys.count <= options.captureKeyCapacity)
                #expect(run.captureAnalysis.totals.requests == requests)
            }
        }
    }
}
