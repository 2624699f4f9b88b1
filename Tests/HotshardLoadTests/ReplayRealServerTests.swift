import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

extension RealServerSuites {
    /// Replays of the lab captures into fresh real servers: the servers' own counters equal the
    /// capture's requests per command. Serialized: the machine has two cores, shared.
    @Suite struct ReplayRealServerTests {
        static func perKey(_ snapshot: AnalysisSnapshot) -> [Key: Int] {
            Dictionary(uniqueKeysWithValues: snapshot.hotKeys(limit: 1_000_000).map { ($0.key, $0.count) })
        }

        /// The capture's requests per command, as the replay read them (first pass).
        static func captured(_ run: ReplayRun) -> [String: Int] { run.captureAnalysis.totals.byCommand }

        @Test(
            .enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"),
            arguments: ["redis-pipelined", "redis-mget-mset", "redis-ipv6-sll2"])
        func redisCommandStatsEqualTheCapture(name: String) async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth(name)
            let options = try ReplayTestSupport.options(for: name) {
                $0.timing = .max
                $0.pipeline = 16
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("\(name).pcap.gz")], to: server, scheme: .redis,
                options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let captured = Self.captured(run)
            print("\(name): capture \(captured), server \(calls), errors \(run.load.errorsByKind), skipped \(run.skipped)")
            // The lab client's keyed requests (the truth) all went out, and nothing was skipped.
            #expect(run.captureAnalysis.totals.requests - (captured["HELLO"] ?? 0) - (captured["CLIENT"] ?? 0) == truth.ops)
            #expect(run.skipped.isEmpty)
            #expect(run.load.requestsSent == run.captureAnalysis.totals.requests)
            // Every data command reached the server as often as the capture has it. (CLIENT SETINFO,
            // which the lab's newer client sent, is refused by this redis 7.0 and not counted as a call.)
            for (command, count) in captured where !command.hasPrefix("CLIENT") {
                #expect(calls[command] == count, "\(command)")
            }
            #expect(run.load.analysis.totals.byCommand == captured)
        }

        /// A live capture of a replay on `lo`, analysed, has the lab client's per-key counts.
        @Test(.enabled(if: RealServer.isAvailable(.redis) && getuid() == 0, "needs redis-server and root (live capture on lo)"))
        func captureOfTheReplayHasTheOriginalPerKeyCounts() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth("redis-pipelined")
            // The whole replay's packets fit the kernel buffer even if the reading thread is starved
            // (a whole-suite run at load average 10 dropped 1,064 packets with the 32 MB default).
            let capture = try await LoopbackCapture.start(port: server.port, seconds: 60, bufferBytes: 256 << 20)
            // A fixed rate the live capture keeps up with on a loaded machine (as fast as possible, the
            // kernel dropped packets): 30,016 requests in 5 s.
            let options = try ReplayTestSupport.options(for: "redis-pipelined") { $0.timing = .rate(6_000) }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options)
            let captured = Self.perKey(try await capture.finish())
            let expected = Dictionary(uniqueKeysWithValues: truth.keys.map { (Key($0.key), $0.value) })
            print(
                "replay captured on lo: \(captured.values.reduce(0, +)) key references, truth \(expected.values.reduce(0, +)); kernel drops \(capture.session.health.kernelDrops ?? -1)"
            )
            #expect(run.load.errorCount == run.load.errorsByKind["ERR"] ?? 0)  // only the refused CLIENT SETINFO
            let wrong = expected.filter { captured[$0.key] != $0.value }
            #expect(capture.session.health.kernelDrops == 0)
            #expect(wrong.isEmpty, "\(wrong.count) keys differ, e.g. \(wrong.prefix(3).map { "\($0.key): \($0.value) vs \(captured[$0.key] ?? 0)" })")
            #expect(captured.count == expected.count)
        }

        /// memcached's stats: retrievals per key (`cmd_get`), stores (`cmd_set`), as the capture has them.
        @Test(
            .enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"),
            arguments: ["memcached-text", "memcached-binary", "memcached-multiget"])
        func memcachedStatsEqualTheCapture(name: String) async throws {
            let server = try RealServer(.memcached)
            defer { LoadTestSupport.stop(server) }
            let options = try ReplayTestSupport.options(for: name) {
                $0.timing = .max
                $0.pipeline = 16
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("\(name).pcap.gz")], to: server,
                scheme: .memcached, options: options)
            let stats = try LoadTestSupport.memcachedStats(port: server.port)
            let captured = Self.captured(run)
            let truth = try ReplayTestSupport.truth(name)
            print(
                "\(name): capture \(captured), key references \(run.captureAnalysis.totals.keyReferences), errors \(run.load.errorsByKind), stats cmd_get \(stats["cmd_get"] ?? "?") cmd_set \(stats["cmd_set"] ?? "?")"
            )
            #expect(run.skipped.isEmpty)
            #expect(run.load.errorCount == 0)
            #expect(run.load.requestsSent == run.captureAnalysis.totals.requests)
            // Every key of every get is one retrieval; every store one set.
            let stores = ["SET", "ADD", "REPLACE", "APPEND", "PREPEND", "CAS", "SETQ"].reduce(0) { $0 + (captured[$1] ?? 0) }
            let truthWrites = (truth.writes ?? [:]).values.reduce(0, +)
            let truthKeys = truth.keys.values.reduce(0, +)
            #expect(Int(stats["cmd_set"] ?? "") == stores)
            #expect(stores == truthWrites)
            #expect(Int(stats["cmd_get"] ?? "") == truthKeys - truthWrites)
        }

        /// nginx's access log: one line per replayed request, methods as in the capture.
        @Test(.enabled(if: RealServer.isAvailable(.nginx), "nginx is not installed: run make setup"))
        func nginxAccessLogEqualsTheCapture() async throws {
            // The default configuration: every path answers `ok`, one access-log line per request.
            let server = try RealServer(.nginx)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth("http-keepalive")
            let options = try ReplayTestSupport.options(for: "http-keepalive") {
                $0.timing = .max
                $0.pipeline = 1
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("http-keepalive.pcap.gz")], to: server,
                scheme: .http, options: options)
            try await Task.sleep(nanoseconds: 200_000_000)
            let log = try String(contentsOf: server.nginxAccessLog, encoding: .utf8)
            var methods: [String: Int] = [:]
            for line in log.split(separator: "\n") {
                // 127.0.0.1 - - [date] "GET /path HTTP/1.1" 200 …
                guard let quote = line.firstIndex(of: "\"") else { continue }
                let method = line[line.index(after: quote)...].prefix { $0 != " " }
                methods[String(method), default: 0] += 1
            }
            let captured = Self.captured(run)
            print("http: capture \(captured), nginx \(methods), errors \(run.load.errorsByKind)")
            #expect(run.skipped.isEmpty)
            #expect(methods.values.reduce(0, +) == truth.ops)
            #expect(methods == captured)
        }

        /// `--only-reads`: no write reaches the server; reads all do.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func onlyReadsSendsNoWrites() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth("redis-pipelined")
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .max
                $0.pipeline = 16
                $0.onlyReads = true
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let writes = (truth.writes ?? [:]).values.reduce(0, +)
            print("only reads: server \(calls), skipped \(run.skipped)")
            #expect(calls["SET"] == nil)
            #expect(calls["HELLO"] == nil)
            #expect(calls["GET"] == truth.ops - writes)
            #expect(calls.values.reduce(0, +) == truth.ops - writes)
            // Not reads: the writes, and the 4 HELLO and 12 CLIENT SETINFO the lab's client sent on connecting.
            #expect(run.skipped[.notRead] == writes + 16)
            #expect(Self.perKey(run.load.analysis).values.reduce(0, +) == truth.ops - writes)
        }

        /// `--max` with a queue (`--max-queued 10`) smaller than the pipelines it fills (4 × 16):
        /// the closed loop takes no more requests than the backlog holds, so none is dropped and the
        /// server sees every request of the capture (before, the backlog dropped the oldest ones).
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func smallQueueDropsNothingAsFastAsPossible() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth("redis-pipelined")
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .max
                $0.pipeline = 16
                $0.connections = 4
                $0.maxQueuedRequests = 10
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            print("small queue: server \(calls), dropped \(run.load.dropped), errors \(run.load.errorsByKind)")
            #expect(run.load.dropped == 0)
            #expect(run.load.errorsByKind["dropped"] == nil)
            #expect(calls["GET", default: 0] + calls["SET", default: 0] == truth.ops)
            #expect(run.load.requestsSent == run.captureAnalysis.totals.requests)
        }

        /// `--from/--to`, `--sample`, `--exclude` and `--connections`: every request of the capture is
        /// either replayed or counted under the reason it was left out, and the server saw exactly the
        /// replayed ones.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func shapingAccountsForEveryRequest() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .max
                $0.pipeline = 16
                $0.fromSeconds = 0.2
                $0.toSeconds = 0.5
                $0.sample = 0.5
                $0.exclude = ["CLIENT", "HELLO"]
                $0.connections = 2
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let left = run.skipped.values.reduce(0, +)
            print("shaping: server \(calls), replayed \(run.requestsPerPass), skipped \(run.skipped), connections \(run.load.connections)")
            #expect(run.requestsPerPass + left == 30_016)
            #expect(calls.values.reduce(0, +) == run.requestsPerPass)
            #expect(calls["GET"] == run.load.analysis.totals.byCommand["GET"])
            #expect(run.load.connections == 2)
            #expect(run.skipped[.timeRange, default: 0] > 10_000)
            // Half of what is in the time range, give or take (a seeded draw per request).
            let inRange = run.requestsPerPass + run.skipped[.sample, default: 0]
            #expect(abs(Double(run.requestsPerPass) / Double(inRange) - 0.5) < 0.03)
        }

        /// `--loop 0 --duration 2s --rate 500`: the capture loops until the duration; 1,000 requests sent.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func durationBoundsAnEndlessLoop() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .rate(500)
                $0.loops = 0
                $0.include = ["GET"]
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options, duration: 2)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            print("duration: sent \(run.load.requestsSent), server \(calls), measured \(run.load.measuredSeconds) s")
            #expect(run.load.requestsSent == 1_000)
            #expect(calls["GET"] == 1_000)
            #expect(run.load.measuredSeconds == 2)
        }

        /// `--include SET --key-prefix replay:` twice over (`--loop 2`): the server holds the written keys under the new prefix only.
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func includeKeyPrefixAndLoop() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let truth = try ReplayTestSupport.truth("redis-pipelined")
            let options = try ReplayTestSupport.options(for: "redis-pipelined") {
                $0.timing = .max
                $0.pipeline = 16
                $0.include = ["SET"]
                $0.keyRewrite = KeyRewrite(parsing: "replay:")
                $0.loops = 2
            }
            let run = try await ReplayTestSupport.replay(
                [ReplayTestSupport.lab("redis-pipelined.pcap.gz")], to: server,
                scheme: .redis, options: options)
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let writes = truth.writes ?? [:]
            let connection = try RedisConnection(port: server.port)
            let size = try connection.call("DBSIZE")
            let someKey = try #require(writes.keys.sorted().first)
            let renamed = try connection.call("EXISTS", "replay:" + someKey)
            let original = try connection.call("EXISTS", someKey)
            print("include SET, prefix, 2 passes: server \(calls), DBSIZE \(size), passes \(run.passes)")
            #expect(run.passes == 2)
            #expect(calls["SET"] == 2 * writes.values.reduce(0, +))
            #expect(calls["GET"] == nil)
            #expect(size == .integer(writes.count))
            #expect(renamed == .integer(1))
            #expect(original == .integer(0))
        }
    }
}
