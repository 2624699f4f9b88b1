import Foundation
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

extension RealServerSuites {
    /// Replay timing and damaged captures, against real servers on loopback.
    ///
    /// Rates are chosen for a debug build on a loaded two-core machine: the memcached multi-get
    /// capture (5,552 requests over 12 s, ~460/s) at twice its speed needs ~925/s, and the fixed
    /// rate is 1,000/s; the debug client sustained ~1,900/s closed loop even at load average 9 and
    /// far more open loop on an idle machine, so neither test measures the client's limit.
    @Suite struct ReplayTimingTests {
        /// `--speed 2` takes half the capture's time (first to last request) ± 5%.
        @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
        func speedTwoTakesHalfTheCaptureTime() async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let options = try ReplayTestSupport.options(for: "memcached-multiget") { $0.timing = .original(speed: 2) }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("memcached-multiget.pcap.gz")], to: server,
                scheme: .memcached, options: options)
            let expected = run.captureSpanSeconds / 2
            print(
                "speed 2: capture span \(run.captureSpanSeconds) s, replay sent over \(run.load.sendSpanSeconds) s "
                    + "(expected \(expected)), corrected p99 \(run.load.corrected?.valueAtPercentile(99) ?? 0) µs")
            #expect(run.captureSpanSeconds > 11)
            #expect(abs(run.load.sendSpanSeconds - expected) <= 0.05 * expected)
            #expect(run.load.errorCount == 0)
            #expect(run.load.requestsSent == run.requestsPerPass)
        }

        /// `--rate 1000`: requests go out at 1,000/s within 1% over the run (two passes, 11,104 requests).
        @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
        func fixedRateHoldsWithinOnePercent() async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let options = try ReplayTestSupport.options(for: "memcached-multiget") {
                $0.timing = .rate(1_000)
                $0.loops = 2
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("memcached-multiget.pcap.gz")], to: server,
                scheme: .memcached, options: options)
            let rate = Double(run.load.requestsSent - 1) / run.load.sendSpanSeconds
            let whole = run.load.seconds.dropLast().filter { $0.second > 0 }
            print(
                "rate 1000: \(run.load.requestsSent) sent over \(run.load.sendSpanSeconds) s = \(rate)/s; "
                    + "per second \(whole.map(\.sent))")
            #expect(run.load.requestsSent == 2 * run.requestsPerPass)
            #expect(abs(rate - 1_000) <= 10)
            // Single seconds are printed, not asserted: with other work on both cores one second can be
            // 30% late and the next as much early (seen in a whole-suite run), while the run holds its rate.
        }

        /// A capture with lost packets and a truncated end: what is whole is replayed, the rest is
        /// counted as skipped, and nothing malformed reaches the server.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func damagedCaptureReplaysWhatItCan() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-replay-damaged")
            defer { try? FileManager.default.removeItem(at: directory) }
            let plain = directory.appendingPathComponent("plain.pcap")
            let unpacked = try ExternalTool.run(
                "/bin/sh", ["-c", "gzip -dc '\(ReplayTestSupport.lab("redis-pipelined.pcap.gz"))' > '\(plain.path)'"])
            #expect(unpacked.status == 0)
            let original = try Data(contentsOf: plain)
            // Little-endian classic pcap: 24-byte header, then 16-byte record headers (incl_len at +8).
            var damaged = Data(original.prefix(24))
            var offset = 24
            var record = 0
            var dropped = 0
            while offset + 16 <= original.count {
                let length = original[(offset + 8)..<(offset + 12)].enumerated()
                    .reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
                let end = offset + 16 + length
                guard end <= original.count else { break }
                // Packets 1,000-1,049 and 3,000-3,009 are lost: gaps in both directions of some connections.
                if (1_000..<1_050).contains(record) || (3_000..<3_010).contains(record) {
                    dropped += 1
                } else {
                    damaged.append(original[offset..<end])
                }
                offset = end
                record += 1
            }
            damaged.append(original[(original.count - 100)...].prefix(40))  // a record cut short at the end
            let path = directory.appendingPathComponent("damaged.pcap").path
            try damaged.write(to: URL(fileURLWithPath: path))
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .max
                $0.pipeline = 16
            }
            let run = try await ReplayTestSupport.replay([path], to: server, scheme: .redis, options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            print(
                "damaged: \(dropped) packets dropped; sent \(run.load.requestsSent), skipped \(run.skipped), "
                    + "gaps \(run.capture.gaps), parser \(run.parserHealth), "
                    + "problems \(run.problems), server \(calls), errors \(run.load.errorsByKind)")
            #expect(dropped == 60)
            #expect(!run.problems.isEmpty)
            // Requests whose bytes were lost never leave the parsers: the result counts the gaps and the bytes skipped.
            #expect(run.capture.gaps > 0)
            #expect(run.parserHealth.skippedBytes > 0)
            #expect(run.load.requestsSent > 25_000 && run.load.requestsSent < 30_016)
            // What was sent arrived whole: the server ran every request (the 12 CLIENT SETINFO it refuses aside).
            #expect(calls.values.reduce(0, +) == run.load.requestsSent - (run.captureAnalysis.totals.byCommand["CLIENT"] ?? 0))
            #expect(run.load.errorCount == run.load.errorsByKind["ERR"] ?? 0)
            #expect((run.load.errorsByKind["ERR"] ?? 0) <= 12)
        }
    }
}
