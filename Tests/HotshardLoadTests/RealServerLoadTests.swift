import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

extension RealServerSuites {
    /// Load against real servers on loopback, started by the tests: the servers' own counters must
    /// equal what the result reports. Serialized: the machine has two cores, shared.
    @Suite struct RealServerLoadTests {
        static func perKey(_ run: LoadRun) -> [Key: Int] {
            Dictionary(uniqueKeysWithValues: run.analysis.hotKeys(limit: 1_000_000).map { ($0.key, $0.count) })
        }

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func redisCommandStatsEqualTheResult() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                connections: 4
                pipeline: 4
                seed: 9
                arrival: {kind: poisson, rate: 3000}
                duration: 2s
                keys: {count: 500, format: "user:{n:04}", distribution: {kind: zipfian, theta: 0.99}}
                operations:
                  - {op: GET, weight: 70}
                  - {op: SET, weight: 20}
                  - {op: MGET, keys: 3, weight: 5}
                  - {op: DEL, weight: 5}
                values: {size: 32}
                """)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let byCommand = run.analysis.totals.byCommand
            print("redis: result \(byCommand), server \(calls), sent \(run.requestsSent), errors \(run.errorCount) \(run.errorsByKind)")
            #expect(run.errorCount == 0)
            // The server stayed up: the run closing its own connections at the end is no reconnect.
            #expect(run.reconnects == 0)
            #expect(run.requestsSent == run.completed)
            #expect(run.requestsSent > 5_000)
            for command in ["GET", "SET", "MGET", "DEL"] {
                #expect(byCommand[command] == calls[command], "\(command)")
            }
            #expect(byCommand.values.reduce(0, +) == run.requestsSent)
            // Per-key counts are exact (all 500 keys fit) and add up to the key references.
            let keys = Self.perKey(run)
            #expect(run.analysis.exact)
            #expect(keys.values.reduce(0, +) == run.analysis.totals.keyReferences)
            #expect(keys[Key("user:0000")] == keys.values.max())
        }

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func redisOverRESP3() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                protocol: resp3
                connections: 2
                pipeline: 4
                arrival: {kind: poisson, rate: 1000}
                duration: 1s
                keys: {count: 100, format: "k:{n}"}
                operations: [{op: GET, weight: 1}, {op: SET, weight: 1}, {op: MGET, keys: 3, weight: 1}]
                """)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let byCommand = run.analysis.totals.byCommand
            // One HELLO 3 per connection, not counted as load.
            #expect(calls["HELLO"] == 2)
            #expect(byCommand["HELLO"] == nil)
            for command in ["GET", "SET", "MGET"] { #expect(byCommand[command] == calls[command], "\(command)") }
            #expect(run.errorCount == 0 && run.completed == run.requestsSent)
        }

        @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
        func memcachedStatsEqualTheResult() async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let run = try await LoadTestSupport.run(
                """
                target: memcached://127.0.0.1:\(server.port)
                connections: 4
                pipeline: 2
                arrival: {kind: constant, rate: 2000}
                duration: 2s
                keys: {count: 300, format: "s:{n}", distribution: {kind: hotspot, hotSet: 0.1, hotOperations: 0.9}}
                operations:
                  - {op: get, weight: 60}
                  - {op: multi-get, keys: 4, weight: 10}
                  - {op: set, weight: 30}
                values: {min: 10, max: 200}
                """)
            let stats = try LoadTestSupport.memcachedStats(port: server.port)
            let hotKeys = run.analysis.hotKeys(limit: 1_000_000)
            let getKeys = hotKeys.reduce(0) { $0 + $1.reads }
            let hits = hotKeys.reduce(0) { $0 + $1.hits }
            let sets = run.analysis.totals.byCommand["SET"] ?? 0
            print(
                "memcached: cmd_get \(stats["cmd_get"] ?? "?") vs \(getKeys), get_hits \(stats["get_hits"] ?? "?") vs \(hits), cmd_set \(stats["cmd_set"] ?? "?") vs \(sets)"
            )
            #expect(run.errorCount == 0)
            #expect(stats["cmd_get"] == String(getKeys))
            #expect(stats["get_hits"] == String(hits))
            #expect(stats["cmd_set"] == String(sets))
            #expect(hits > 0 && hits < getKeys)
        }

        /// The meta and binary protocols: memcached's own counters equal the result, command by command.
        @Test(
            .enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"),
            arguments: ["meta", "binary"])
        func memcachedMetaAndBinaryStatsEqualTheResult(wire: String) async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let run = try await LoadTestSupport.run(
                """
                target: memcached://127.0.0.1:\(server.port)
                protocol: \(wire)
                connections: 4
                pipeline: 4
                seed: 5
                arrival: {kind: constant, rate: 2000}
                duration: 2s
                keys: {count: 300, format: "s:{n}", distribution: {kind: zipfian, theta: 0.9}}
                operations:
                  - {op: get, weight: 60}
                  - {op: set, weight: 30}
                  - {op: delete, weight: 10}
                values: {min: 10, max: 200}
                """)
            let stats = try LoadTestSupport.memcachedStats(port: server.port)
            let hotKeys = run.analysis.hotKeys(limit: 1_000_000)
            let reads = hotKeys.reduce(0) { $0 + $1.reads }
            let hits = hotKeys.reduce(0) { $0 + $1.hits }
            let byCommand = run.analysis.totals.byCommand
            let (get, set, delete) = wire == "meta" ? ("MG", "MS", "MD") : ("GET", "SET", "DELETE")
            let deletes = (Int(stats["delete_hits"] ?? "") ?? -1) + (Int(stats["delete_misses"] ?? "") ?? -1)
            print(
                "memcached \(wire): \(byCommand); cmd_get \(stats["cmd_get"] ?? "?") get_hits \(stats["get_hits"] ?? "?") vs \(hits), cmd_set \(stats["cmd_set"] ?? "?"), deletes \(deletes); errors \(run.errorsByKind)"
            )
            #expect(run.errorCount == 0)
            #expect(run.completed == run.requestsSent)
            #expect(run.requestsSent > 3_000)
            #expect(byCommand.values.reduce(0, +) == run.requestsSent)
            #expect(stats["cmd_get"] == String(reads))
            #expect(byCommand[get] == reads)
            #expect(stats["get_hits"] == String(hits))
            #expect(hits > 0 && hits < reads)
            #expect(stats["cmd_set"] == byCommand[set].map(String.init))
            #expect(deletes == byCommand[delete])
        }

        /// nginx's access log, request target by request target, equals the result's keys (the key in
        /// the path, or in the query: the key is then the path with its query).
        @Test(
            .enabled(if: RealServer.isAvailable(.nginx), "nginx is not installed: run make setup"),
            arguments: ["/product/{key}", "/product?id={key}"])
        func nginxAccessLogEqualsTheResult(path: String) async throws {
            let server = try RealServer(.nginx)
            defer { LoadTestSupport.stop(server) }
            let run = try await LoadTestSupport.run(
                """
                target: http://127.0.0.1:\(server.port)
                http: {path: "\(path)"}
                connections: 4
                arrival: {kind: constant, rate: 1000}
                duration: 2s
                keys: {count: 50, format: "p{n:03}", distribution: {kind: exponential}}
                operations:
                  - {op: GET, weight: 9}
                  - {op: POST, weight: 1}
                values: {size: 64}
                """)
            // nginx writes its log line after the reply: give it a moment.
            try await Task.sleep(nanoseconds: 300_000_000)
            let log = (try? String(contentsOf: server.nginxAccessLog, encoding: .utf8)) ?? ""
            let lines = log.split(separator: "\n")
            var perPath: [String: Int] = [:]
            for line in lines {
                // 127.0.0.1 - - [date] "GET /product/p001 HTTP/1.1" 200 …
                guard let quote = line.firstIndex(of: "\"") else { continue }
                let request = line[line.index(after: quote)...].split(separator: " ")
                if request.count >= 2 { perPath[String(request[1]), default: 0] += 1 }
            }
            let keys = Self.perKey(run)
            print("nginx: \(lines.count) log lines, result \(run.requestsSent) sent, \(run.completed) completed, errors \(run.errorsByKind)")
            #expect(run.errorCount == 0)
            #expect(lines.count == run.completed)
            #expect(perPath.count == keys.count)
            for (key, count) in keys {
                #expect(perPath[key.utf8Text ?? ""] == count, "\(key)")
            }
        }

        /// The issue asks 20,000 requests/s for 10 s. An optimised build runs 20,000/s here; a debug
        /// build (what `swift test` makes) cannot generate, parse and analyse that many on this shared
        /// 2-core machine, so it checks 2,000/s (at 5,000/s it held ±1% on a quiet machine, not while other builds ran). 3 s keeps the suite short; `scripts/bench/load-rate.sh`
        /// runs the full 10 s at 20,000/s with the release binary.
        #if DEBUG
        static let rateUnderTest = 2_000
        #else
        static let rateUnderTest = 20_000
        #endif

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func constantRateHoldsEverySecond() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let rate = Self.rateUnderTest
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                connections: 8
                pipeline: 16
                arrival: {kind: constant, rate: \(rate)}
                duration: 3s
                keys: {count: 10000, format: "k:{n}", distribution: uniform}
                operations: [{op: GET, weight: 1}]
                """)
            let seconds = run.seconds.filter(\.measured).prefix(3)
            print(
                "rate \(rate)/s: per second sent \(seconds.map(\.sent)), completed \(seconds.map(\.completed)); corrected p99 \(run.corrected?.valueAtPercentile(99) ?? 0) µs"
            )
            #expect(seconds.count == 3)
            // An open-loop schedule that falls behind in one second catches up in the next: each
            // second within 5% and the whole run exact. (Seen at 2,000/s on a debug build while other
            // builds ran: 1,947 then 2,053.) The ±1% per second at 20,000/s is the release build's
            // claim, shown by scripts/bench/load-rate.sh.
            for second in seconds {
                #expect(abs(second.sent - rate) <= rate / 20, "second \(second.second): \(second.sent)")
            }
            #expect(run.errorCount == 0)
            #expect(run.completed == 3 * rate)
        }

        /// The issue's claim itself: 20,000 requests/s for 10 s, every second within ±1%, with the
        /// optimised build (`swift build -c release`), run as a user runs it. Skipped when there is no
        /// release binary newer than the sources, and on a machine with a load average of 4 per core or
        /// more: there the client is descheduled for tens to hundreds of ms at a time (seen here at load
        /// average 10 on 2 cores: 18,654 then 21,311, and a 680 ms stall even at nice -10), and no
        /// schedule can deliver in a second it is not running.
        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && BuiltProduct.freshReleaseHotshard != nil,
                "needs redis-server and a release build newer than the sources (swift build -c release --product hotshard)"),
            .enabled(
                if: LoadTestSupport.machineIsQuiet, "\(LoadTestSupport.machineLoad): a second's count would measure the OS scheduler, not the runner")
        )
        func releaseBuildHoldsTwentyThousandPerSecondForTenSeconds() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            guard let executable = BuiltProduct.freshReleaseHotshard else { return }
            let directory = try Fixtures.temporaryDirectory("hotshard-rate")
            defer { try? FileManager.default.removeItem(at: directory) }
            let profilePath = directory.appendingPathComponent("rate.yaml").path
            try """
            target: redis://127.0.0.1:\(server.port)
            connections: 8
            pipeline: 16
            arrival: {kind: constant, rate: 20000}
            duration: 10s
            keys: {count: 10000, format: "k:{n}", distribution: uniform}
            operations: [{op: GET, weight: 1}]
            """.write(toFile: profilePath, atomically: true, encoding: .utf8)
            let resultPath = directory.appendingPathComponent("rate.json").path
            let load = Process()
            load.executableURL = URL(fileURLWithPath: executable)
            load.arguments = ["load", profilePath, "--json", resultPath, "--no-html", "--quiet"]
            load.standardOutput = FileHandle.nullDevice
            try load.run()
            LoadTestSupport.reap(load, seconds: 60)
            #expect(load.terminationStatus == 0)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultPath))) as? [String: Any]
            let section = json?["load"] as? [String: Any]
            let seconds = (section?["seconds"] as? [[String: Any]] ?? []).filter { $0["measured"] as? Bool == true }.prefix(10)
            let sent = seconds.map { $0["sent"] as? Int ?? 0 }
            print(
                "release rate 20,000/s × 10 s: sent per second \(sent); completed \(section?["completed"] ?? "?"), errors \(section?["errors"] ?? "?")"
            )
            #expect(sent.count == 10)
            for (second, count) in sent.enumerated() {
                #expect(abs(count - 20_000) <= 200, "second \(second): \(count)")
            }
            #expect(section?["completed"] as? Int == 200_000)
            #expect(section?["errors"] as? Int == 0)
        }

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func coordinatedOmissionIsCorrected() async throws {
            // 2,000 requests/s; the server is stopped for 500 ms at 1.2 s. At most 32 requests are in
            // flight (8 connections × pipeline 4), so only those see the stall from their send time;
            // the ~1,000 that come due meanwhile wait for a connection, and only the corrected latency
            // (from the intended send time) shows their wait.
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let pid = server.processIdentifier
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                connections: 8
                pipeline: 4
                arrival: {kind: constant, rate: 2000}
                duration: 3s
                keys: {count: 1000, format: "k:{n}", distribution: uniform}
                operations: [{op: GET, weight: 1}]
                """,
                during: {
                    try? await Task.sleep(nanoseconds: 1_200_000_000)
                    kill(pid, SIGSTOP)
                    try? await Task.sleep(nanoseconds: 500_000_000)
                    kill(pid, SIGCONT)
                })
            let corrected = Double(run.corrected?.valueAtPercentile(99) ?? 0) / 1000
            let service = Double(run.service?.valueAtPercentile(99) ?? 0) / 1000
            print(
                "stall of 500 ms: corrected p99 \(corrected) ms, service p99 \(service) ms, max corrected \(Double(run.corrected?.max ?? 0) / 1000) ms"
            )
            #expect(corrected >= 200)
            #expect(service < 50)
            #expect(run.errorCount == 0)
        }

        /// A server that stops answering (SIGSTOP for 1 s, timeout 300 ms): connections whose oldest
        /// request waited the timeout are closed and counted, their requests are errors of kind
        /// `timeout`, and the client reconnects with backoff and carries on once the server resumes.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func unansweredRequestsTimeOutAndTheClientReconnects() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let pid = server.processIdentifier
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                connections: 4
                pipeline: 4
                arrival: {kind: constant, rate: 1000}
                duration: 3s
                timeout: 300ms
                keys: {count: 100, format: "k:{n}", distribution: uniform}
                operations: [{op: GET, weight: 1}]
                """,
                during: {
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    kill(pid, SIGSTOP)
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    kill(pid, SIGCONT)
                })
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let last = run.seconds.first { $0.second == 2 }  // the run's last second (1 s after the resume)
            print(
                "timeouts: \(run.timeouts) requests timed out, errors \(run.errorsByKind), reconnects \(run.reconnects), completed \(run.completed) of \(run.requestsSent) sent, last second completed \(last?.completed ?? 0), server GET \(calls["GET"] ?? 0)"
            )
            // Every connection timed out at least once (4 in flight each), and requests that came due
            // while all were stuck waited the timeout too.
            #expect((run.errorsByKind["timeout"] ?? 0) >= 16)
            #expect((run.errorsByKind["timeout-waiting"] ?? 0) > 0)
            #expect(run.timeouts == (run.errorsByKind["timeout"] ?? 0) + (run.errorsByKind["timeout-waiting"] ?? 0))
            #expect(run.errorCount == run.errorsByKind.values.reduce(0, +))
            #expect(run.reconnects >= 4)
            // After the resume the client is back: most of the last second is answered (requests that
            // came due before the connections were back up may have waited the timeout; seen 892-1,291).
            #expect((last?.completed ?? 0) >= 500)
            #expect((calls["GET"] ?? 0) >= run.completed)
        }

        /// A key space beyond the default tracking capacity (65,536): `load` tracks every key the
        /// profile can name, so 70,000 sequential SETs are 70,000 keys counted once each, as many
        /// as redis's DBSIZE says were written. With `--capacity 1000` the counts are estimates,
        /// and the run says so.
        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && BuiltProduct.hotshard != nil,
                "redis-server or the hotshard executable is missing"))
        func keySpaceBeyondTheDefaultCapacityIsCountedExactly() throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-keyspace")
            defer { try? FileManager.default.removeItem(at: directory) }
            let profilePath = directory.appendingPathComponent("keyspace.yaml").path
            try """
            target: redis://127.0.0.1:\(server.port)
            connections: 4
            pipeline: 16
            arrival: closed
            requests: 70000
            keys: {count: 70000, format: "seq:{n:06}", distribution: sequential}
            operations: [{op: SET}]
            values: {size: 8}
            """.write(toFile: profilePath, atomically: true, encoding: .utf8)
            let executable = try #require(BuiltProduct.hotshard)
            func load(_ extra: [String]) throws -> (tracking: [String: Any], keyReferences: Int?, stderr: String) {
                let resultPath = directory.appendingPathComponent("keyspace.json").path
                let output = try ExternalTool.run(executable, ["load", profilePath, "--json", resultPath, "--no-html", "--quiet"] + extra)
                #expect(output.status == 0, "\(output.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultPath))) as? [String: Any]
                let totals = json?["totals"] as? [String: Any]
                return (json?["tracking"] as? [String: Any] ?? [:], totals?["keyReferences"] as? Int, output.stderr)
            }
            let tracked = try load([])
            let written = try RedisConnection(port: server.port).call("DBSIZE")
            print("70,000 keys: tracking \(tracked.tracking), key references \(tracked.keyReferences ?? -1), DBSIZE \(written)")
            #expect(written == .integer(70_000))
            #expect(tracked.tracking["exact"] as? Bool == true)
            #expect(tracked.tracking["distinctKeys"] as? Int == 70_000)
            #expect(tracked.tracking["distinctKeysEstimated"] as? Bool == false)
            #expect(tracked.keyReferences == 70_000)
            #expect(tracked.stderr.isEmpty, "\(tracked.stderr)")

            let capped = try load(["--capacity", "1000"])
            print("70,000 keys, --capacity 1000: tracking \(capped.tracking); \(capped.stderr)")
            #expect(capped.tracking["exact"] as? Bool == false)
            #expect(capped.tracking["capacity"] as? Int == 1_000)
            #expect(capped.stderr.contains("the profile can name 70000 keys and 1000 are tracked"))
        }

        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && BuiltProduct.hotshard != nil,
                "redis-server or the hotshard executable is missing"))
        func serverKilledAndRestartedMidRun() async throws {
            let port = try RealServer.freePort()
            let directory = try Fixtures.temporaryDirectory("hotshard-restart")
            defer { try? FileManager.default.removeItem(at: directory) }
            var server = try LoadTestSupport.startRedis(port: port, directory: directory)
            let profilePath = directory.appendingPathComponent("restart.yaml").path
            try """
            target: redis://127.0.0.1:\(port)
            connections: 4
            arrival: {kind: constant, rate: 1000}
            duration: 4s
            timeout: 1s
            keys: {count: 100, format: "k:{n}", distribution: uniform}
            operations: [{op: GET, weight: 1}]
            thresholds:
              - errors < 0.05%
              - p99 < 200ms
            """.write(toFile: profilePath, atomically: true, encoding: .utf8)
            let resultPath = directory.appendingPathComponent("restart.json").path
            guard let executable = BuiltProduct.hotshard else { return }
            let load = Process()
            load.executableURL = URL(fileURLWithPath: executable)
            load.arguments = ["load", profilePath, "--json", resultPath, "--quiet"]
            load.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            load.standardError = errors
            try load.run()
            try await Task.sleep(nanoseconds: 1_000_000_000)
            kill(server.processIdentifier, SIGKILL)
            LoadTestSupport.reap(server)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            server = try LoadTestSupport.startRedis(port: port, directory: directory)
            defer {
                kill(server.processIdentifier, SIGKILL)
                LoadTestSupport.reap(server)
            }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            LoadTestSupport.reap(load, seconds: 30)
            print("restart: exit \(load.terminationStatus); \(stderr)")
            #expect(load.terminationStatus == 4)
            let data = try Data(contentsOf: URL(fileURLWithPath: resultPath))
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let section = json?["load"] as? [String: Any]
            let errorCount = section?["errors"] as? Int ?? 0
            let completed = section?["completed"] as? Int ?? 0
            print(
                "restart: errors \(errorCount) \(section?["errorsByKind"] ?? ""), completed \(completed), reconnects \(section?["reconnects"] ?? "")")
            #expect(errorCount > 0)
            #expect(completed > 2_000)
            #expect((json?["source"] as? [String: Any])?["kind"] as? String == "load")
            #expect(stderr.contains("MISSED"))
            // Requests after the restart reached the new server.
            let calls = try LoadTestSupport.redisCommandCalls(port: port)
            #expect((calls["GET"] ?? 0) > 500)
        }

        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && BuiltProduct.hotshard != nil,
                "redis-server or the hotshard executable is missing"))
        func sigintStopsDrainsAndWritesTheResult() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let directory = try Fixtures.temporaryDirectory("hotshard-sigint")
            defer { try? FileManager.default.removeItem(at: directory) }
            let profilePath = directory.appendingPathComponent("long.yaml").path
            try """
            target: redis://127.0.0.1:\(server.port)
            connections: 2
            arrival: {kind: constant, rate: 1000}
            duration: 60s
            keys: {count: 100, format: "k:{n}"}
            operations: [{op: GET}]
            """.write(toFile: profilePath, atomically: true, encoding: .utf8)
            let resultPath = directory.appendingPathComponent("long.json").path
            guard let executable = BuiltProduct.hotshard else { return }
            let load = Process()
            load.executableURL = URL(fileURLWithPath: executable)
            load.arguments = ["load", profilePath, "--json", resultPath]
            load.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            load.standardError = errors
            try load.run()
            // The first progress line comes a second into the run (later on a loaded machine), then
            // another second of requests.
            let started = LoadTestSupport.read(errors, until: "actual", seconds: 30)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            let interruptedAt = Date()
            kill(load.processIdentifier, SIGINT)
            let stderr = started + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            LoadTestSupport.reap(load, seconds: 10)
            let stoppedAfter = Date().timeIntervalSince(interruptedAt)
            print(
                "sigint: exit \(load.terminationStatus) after \(stoppedAfter) s; progress lines \(stderr.split(separator: "\n").filter { $0.contains("actual") }.count)"
            )
            #expect(load.terminationStatus == 0)
            // A second's drain and the result written: well before the 60 s run's end, with room
            // for a debug build on a machine that runs the other tests beside it.
            #expect(stoppedAfter < 8)
            #expect(stderr.contains("interrupted"))
            // Progress once a second on stderr: target, actual, percentiles, errors, in flight.
            #expect(stderr.contains("target 1000/s  actual"))
            #expect(stderr.contains("in flight"))
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultPath))) as? [String: Any]
            let section = json?["load"] as? [String: Any]
            #expect(section?["interrupted"] as? Bool == true)
            let completed = section?["completed"] as? Int ?? 0
            // About two seconds of requests at 1,000/s (half of that on a slow start), far from the 60,000 of the whole run.
            #expect(completed > 500 && completed < 15_000)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            #expect(calls["GET"] == completed)
        }

        /// A capture of the run on `lo`, analysed, has the per-key counts the load result reports.
        @Test(.enabled(if: RealServer.isAvailable(.redis) && getuid() == 0, "needs redis-server and root (live capture on lo)"))
        func captureOfTheRunHasTheSamePerKeyCounts() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let capture = try await LoopbackCapture.start(port: server.port, seconds: 30)
            let run = try await LoadTestSupport.run(
                """
                target: redis://127.0.0.1:\(server.port)
                connections: 3
                pipeline: 8
                arrival: {kind: constant, rate: 1500}
                duration: 2s
                keys: {count: 300, format: "item:{n}", distribution: {kind: zipfian, theta: 0.9}}
                operations:
                  - {op: GET, weight: 8}
                  - {op: MGET, keys: 4, weight: 1}
                  - {op: SET, weight: 1}
                values: {size: 2000}
                """)
            let snapshot = try await capture.finish()
            let captured = Dictionary(uniqueKeysWithValues: snapshot.hotKeys(limit: 1_000_000).map { ($0.key, $0.count) })
            let reported = Self.perKey(run)
            print(
                "capture on lo: \(captured.values.reduce(0, +)) key references captured, \(reported.values.reduce(0, +)) reported; kernel drops \(capture.session.health.kernelDrops ?? -1)"
            )
            #expect(captured == reported)
        }
    }
}
