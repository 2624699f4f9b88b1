import Foundation
import HotshardTestSupport
import Testing

extension RealServerSuites {
    /// `hotshard replay` as a user runs it: SIGINT, progress, the result JSON and HTML, thresholds
    /// and exit statuses (as `load`), and the safety rule for targets that are not on loopback.
    @Suite struct ReplayCommandTests {
        static func start(_ arguments: [String]) throws -> (Process, Pipe)? {
            guard let executable = BuiltProduct.hotshard else { return nil }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["replay"] + arguments
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            return (process, errors)
        }

        /// Ctrl-C during an endless replay (`--loop 0 --duration 60s`, 1,000/s): exit 0 within a
        /// drain, progress lines on stderr, and a result whose replayed GETs equal the server's.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func sigintStopsDrainsAndWritesTheResult() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-replay-sigint")
            defer { try? FileManager.default.removeItem(at: directory) }
            let resultPath = directory.appendingPathComponent("replay.json").path
            guard
                let (replay, errors) = try Self.start([
                    ReplayTestSupport.lab("redis-pipelined.pcap.gz"), "--target", "redis://127.0.0.1:\(server.port)",
                    "--port", "resp=16379", "--rate", "1000", "--loop", "0", "--duration", "60s", "--only-reads",
                    "--json", resultPath,
                ])
            else { return }
            // Start-up (counting the capture's connections, connecting, reading the first requests) takes
            // ~1.5 s in a debug build, more on a loaded machine: the SIGINT waits for the first
            // progress line, a second into the requests, and one second more.
            let started = LoadTestSupport.read(errors, until: "actual", seconds: 30)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            let interruptedAt = Date()
            kill(replay.processIdentifier, SIGINT)
            let stderr = started + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            LoadTestSupport.reap(replay, seconds: 10)
            let stoppedAfter = Date().timeIntervalSince(interruptedAt)
            print(
                "replay sigint: exit \(replay.terminationStatus) after \(stoppedAfter) s; \(stderr.split(separator: "\n").filter { $0.contains("actual") }.count) progress lines"
            )
            #expect(replay.terminationStatus == 0)
            // A second's drain, the capture reader's thread joined, the JSON and HTML written: 1.5 s on
            // a quiet machine (debug build), up to 3.5 s seen at load average 10; well before the
            // 60 s run's end.
            #expect(stoppedAfter < 8, "\(stderr.split(separator: "\n").suffix(4))")
            #expect(stderr.contains("interrupted"))
            #expect(stderr.contains("target 1000/s  actual"))
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultPath))) as? [String: Any]
            let load = json?["load"] as? [String: Any]
            #expect((json?["source"] as? [String: Any])?["kind"] as? String == "replay")
            #expect(load?["interrupted"] as? Bool == true)
            let completed = load?["completed"] as? Int ?? 0
            // About two seconds of requests at 1,000/s (half of that on a slow start), far from the whole run's 60,000; the server's count must equal it.
            #expect(completed > 500 && completed < 15_000)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            #expect(calls["GET"] == completed)
        }

        /// A missed threshold: exit 4, and the result (JSON and HTML with the capture-vs-replay tables) is written.
        @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
        func missedThresholdExitsFourAndWritesTheReport() async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-replay-threshold")
            defer { try? FileManager.default.removeItem(at: directory) }
            let resultPath = directory.appendingPathComponent("replay.json").path
            guard
                let (replay, errors) = try Self.start([
                    ReplayTestSupport.lab("memcached-binary.pcap.gz"), "--target", "memcached://127.0.0.1:\(server.port)",
                    "--port", "memcached=11311", "--max", "--pipeline", "8", "--threshold", "p99 < 1us", "--json", resultPath,
                ])
            else { return }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            LoadTestSupport.reap(replay, seconds: 60)
            #expect(replay.terminationStatus == 4, "\(stderr)")
            #expect(stderr.contains("MISSED"))
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultPath))) as? [String: Any]
            let section = json?["replay"] as? [String: Any]
            #expect(section?["requestsPerPass"] as? Int == 5_000)
            let byCommand = section?["byCommand"] as? [[String: Any]] ?? []
            #expect(byCommand.first { $0["command"] as? String == "GET" }?["replayCount"] as? Int == 4_546)
            let html = try String(contentsOfFile: directory.appendingPathComponent("replay.html").path, encoding: .utf8)
            #expect(html.contains("id=\"replay-by-command\""))
            #expect(html.contains("id=\"replay-hot-keys\""))
        }

        /// Writes to a target that is not on loopback need --allow-writes: refused before any connection.
        @Test func writesToAnotherHostNeedAllowWrites() async throws {
            guard
                let (replay, errors) = try Self.start([
                    ReplayTestSupport.lab("redis-pipelined.pcap.gz"), "--target", "redis://192.0.2.1:6379", "--no-html",
                ])
            else { return }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            LoadTestSupport.reap(replay, seconds: 10)
            #expect(replay.terminationStatus == 1)
            #expect(stderr.contains("--allow-writes"))
        }
    }
}
