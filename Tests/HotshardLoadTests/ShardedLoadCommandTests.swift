import Foundation
import HotshardTestSupport
import Testing

extension RealServerSuites {
    /// `load --shard` / `--shards` as a Kubernetes Indexed Job runs it, here as processes of the
    /// built `hotshard` on one machine against one real redis-server with a shared `--start-at`,
    /// then `merge`: the server's own counters equal the merged per-command totals, the merged
    /// per-key counts equal an unsharded run's with the same seed (sent at the same time to a
    /// second server), the merged rate is the profile's, and a 500 ms server pause shows in the
    /// merged corrected p99 but not in its service p99.
    @Suite struct ShardedLoadCommandTests {
        typealias JSON = [String: Any]
        /// A sharded run's files and results: the shards' paths, the merged result, merge's exit
        /// status, the unsharded run's result and the merged JUnit XML's path.
        typealias ShardedRun = (paths: [String], merged: JSON, mergeStatus: Int32, unsharded: JSON, junit: String)

        /// 2,000/s for 2 s of GET/SET/MGET over 100 zipfian keys; 2 connections, pipeline 1 per
        /// process, so that a server pause holds few requests in flight (the service p99 stays low)
        /// while the schedule's requests wait (the corrected p99 shows it).
        static func profile(port: UInt16) -> String {
            """
            target: redis://127.0.0.1:\(port)
            connections: 2
            pipeline: 1
            threads: 1
            seed: 7
            arrival:
              kind: constant
              rate: 2000
            warmup: 0s
            duration: 2s
            keys:
              count: 100
              format: "shard:{n:03}"
              distribution:
                kind: zipfian
                theta: 0.99
            operations:
              - op: GET
                weight: 80
              - op: SET
                weight: 15
              - op: MGET
                keys: 3
                weight: 5
            values:
              size: 16
            thresholds:
              - p99 < 100ms
              - service.p99 < 250ms
              - errors < 1%

            """
        }

        /// Runs `hotshard ARGUMENTS` with `environment` added; nil when hotshard is not built.
        static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe)? {
            guard let executable = BuiltProduct.hotshard else {
                print("skipped: hotshard is not built (swift build)")
                return nil
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            // The model for one scheme and a few node counts: the whole planner takes seconds of a
            // debug build's CPU per process, and these tests check the load, not the model.
            let model = ["load", "merge"].contains(arguments.first ?? "") ? ["--schemes", "ketama", "--nodes", "1-4"] : []
            process.arguments = arguments + model
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            return (process, errors)
        }

        /// Runs to the end: exit status and stderr.
        static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String)? {
            guard let (process, errors) = try start(arguments, environment: environment) else { return nil }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, stderr)
        }

        static func read(_ path: String) throws -> JSON {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? JSON)
        }

        static func write(_ json: JSON, to path: String) throws {
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        }

        /// Hot key → count (every key of the run: 100 keys, 100 kept).
        static func keyCounts(_ json: JSON) -> [String: Int] {
            var counts: [String: Int] = [:]
            for entry in json["hotKeys"] as? [JSON] ?? [] {
                if let key = entry["key"] as? String, let count = entry["count"] as? Int { counts[key] = count }
            }
            return counts
        }

        static func byCommand(_ json: JSON) -> [String: Int] {
            (json["totals"] as? JSON)?["byCommand"] as? [String: Int] ?? [:]
        }

        /// `shards` processes against `server` from a shared start 6 s ahead (JOB_COMPLETION_INDEX
        /// set for the `--shards` form), an unsharded run against `reference` at the same time,
        /// `during` run on the side, then `merge`. Returns the shards' paths, the merged result,
        /// merge's exit status and the unsharded result.
        static func shardedRun(
            shards: Int, useEnvironment: Bool, server: RealServer, reference: RealServer, directory: URL,
            during: (@Sendable (_ startAt: Double) async -> Void)? = nil
        ) async throws -> ShardedRun? {
            let profilePath = directory.appendingPathComponent("profile.yaml").path
            try profile(port: server.port).write(toFile: profilePath, atomically: true, encoding: .utf8)
            _ = try RedisConnection(port: server.port).call("CONFIG", "RESETSTAT")
            // Four debug processes took more than 4 s to reach the start-time check at a load average of 12 on 2 cores.
            let startAt = Date().timeIntervalSince1970 + 6
            var processes: [(Process, Pipe)] = []
            var paths: [String] = []
            for index in 0..<shards {
                let path = directory.appendingPathComponent("shard-\(index).json").path
                paths.append(path)
                var shardArguments = useEnvironment ? ["--shards", "\(shards)"] : ["--shard", "\(index)/\(shards)"]
                // Shard 0 also writes its HdrHistogram interval log.
                if index == 0 { shardArguments += ["--hlog", directory.appendingPathComponent("shard-0.hlog").path] }
                guard
                    let started = try start(
                        ["load", profilePath] + shardArguments + [
                            "--start-at", String(format: "%.3f", startAt), "--quiet", "--top", "100", "--json", path,
                            "--no-html",
                        ],
                        environment: useEnvironment ? ["JOB_COMPLETION_INDEX": "\(index)"] : [:])
                else { return nil }
                processes.append(started)
            }
            let unshardedPath = directory.appendingPathComponent("unsharded.json").path
            guard
                let unsharded = try start([
                    "load", profilePath, "--target", "redis://127.0.0.1:\(reference.port)", "--quiet", "--top", "100",
                    "--json", unshardedPath, "--no-html",
                ])
            else { return nil }
            await during?(startAt)
            for (process, errors) in processes + [unsharded] {
                let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                // 4: a shard may miss a threshold on its own; the result is written all the same.
                #expect([0, 4].contains(process.terminationStatus), "\(stderr)")
            }
            let mergedPath = directory.appendingPathComponent("merged.json").path
            let junitPath = directory.appendingPathComponent("merged.xml").path
            let merge = try #require(
                try run(["merge"] + paths + ["--json", mergedPath, "--no-html", "--quiet", "--top", "100", "--junit", junitPath]))
            #expect([0, 4].contains(merge.status), "\(merge.stderr)")
            return (paths, try read(mergedPath), merge.status, try read(unshardedPath), junitPath)
        }

        /// The checks every sharded run must pass: the server's counters, the unsharded run's
        /// per-key counts and commands, the rate, each shard's identity.
        static func expectExact(_ run: ShardedRun, server: RealServer) throws {
            let merged = run.merged
            let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
            let commands = byCommand(merged)
            print("sharded ×\(run.paths.count): server \(calls.filter { ["GET", "SET", "MGET"].contains($0.key) }), merged \(commands)")
            #expect(!commands.isEmpty)
            for (command, count) in commands { #expect(calls[command] == count, "\(command)") }
            #expect(commands == byCommand(run.unsharded))
            let mergedKeys = keyCounts(merged)
            #expect(mergedKeys.count > 50)
            #expect(mergedKeys == keyCounts(run.unsharded))
            let load = try #require(merged["load"] as? JSON)
            let rate = try #require(load["actualRate"] as? Double)
            print("sharded ×\(run.paths.count): merged rate \(rate)/s of 2000/s, \(LoadTestSupport.machineLoad)")
            #expect(abs(rate - 2_000) / 2_000 < 0.02)
            #expect(load["targetRate"] as? Double == 2_000)
            #expect(load["requestsSent"] as? Int == 4_000)
            for (index, path) in run.paths.enumerated() {
                let shardLoad = try #require(try read(path)["load"] as? JSON)
                let shard = try #require(shardLoad["shard"] as? JSON)
                // Every shard's schedule started at the shared --start-at, to the microsecond.
                let startAt = try #require(shard["startAt"] as? Double)
                #expect(abs((shardLoad["startedAt"] as? Double ?? 0) - startAt) < 1e-6)
                #expect(shard["index"] as? Int == index)
                #expect(shard["count"] as? Int == run.paths.count)
                #expect(shard["seed"] as? Int == 7)
                #expect((shard["profile"] as? String)?.count == 64)
            }
        }

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func twoShardsMergeIntoTheUnshardedRun() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let reference = try RealServer(.redis)
            defer { LoadTestSupport.stop(reference) }
            let directory = try Fixtures.temporaryDirectory("hotshard-shards-2")
            defer { try? FileManager.default.removeItem(at: directory) }
            guard
                let run = try await Self.shardedRun(
                    shards: 2, useEnvironment: false, server: server, reference: reference, directory: directory)
            else { return }
            try Self.expectExact(run, server: server)
            try expectMergeRefusals(paths: run.paths, directory: directory, merged: run.merged)
            try Self.expectIntervalLog(directory.appendingPathComponent("shard-0.hlog").path, result: run.paths[0])
        }

        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func fourShardsFromTheEnvironmentShowAServerPauseInCorrectedLatencyOnly() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let reference = try RealServer(.redis)
            defer { LoadTestSupport.stop(reference) }
            let directory = try Fixtures.temporaryDirectory("hotshard-shards-4")
            defer { try? FileManager.default.removeItem(at: directory) }
            let port = server.port
            guard
                let run = try await Self.shardedRun(
                    shards: 4, useEnvironment: true, server: server, reference: reference, directory: directory,
                    during: { startAt in
                        // A 500 ms pause of every client, 0.8 s into the schedule, from a connection of its own.
                        let wait = startAt + 0.8 - Date().timeIntervalSince1970
                        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
                        _ = try? RedisConnection(port: port).call("CLIENT", "PAUSE", "500", "ALL")
                    })
            else { return }
            try Self.expectExact(run, server: server)
            let latency = try #require(run.merged["latency"] as? JSON)
            let corrected = try #require((latency["corrected"] as? JSON)?["p99"] as? Double)
            let service = try #require((latency["service"] as? JSON)?["p99"] as? Double)
            print("four shards, 500 ms pause: merged corrected p99 \(corrected) µs, service p99 \(service) µs")
            // A quarter of the schedule falls in the pause: its requests wait up to 500 ms.
            #expect(corrected >= 300_000)
            // At most 8 requests (4 shards × 2 connections × pipeline 1) were in flight during it: 0.2 %.
            #expect(service < 250_000)
            // `p99 < 100ms` is missed on the whole: exit 4, and the JUnit XML says so.
            #expect(run.mergeStatus == 4)
            try expectJUnit(at: run.junit, merged: run.merged)
        }

        /// The `--hlog` interval log, read by the PyPI hdrhistogram package's `HistogramLogReader`
        /// (scripts/test/hdrh-reference.py check): per tag, the intervals add up to the result's count
        /// and their p99 is the result's within the histogram's precision.
        static func expectIntervalLog(_ path: String, result: String) throws {
            guard let python = ExternalTool.find("python3"),
                (try? ExternalTool.run(python, ["-c", "import hdrh.log"]))?.status == 0
            else {
                print("skipped: the interval log check needs python3 with the hdrhistogram package (make setup)")
                return
            }
            let log = try String(contentsOfFile: path, encoding: .utf8)
            #expect(log.contains("#[Histogram log format version 1.3]\n"))
            #expect(log.contains("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"))
            let output = try ExternalTool.run(python, [Fixtures.path("../../scripts/test/hdrh-reference.py"), "check", path, result])
            print("hlog read back: \(output.stdout.split(separator: "\n").joined(separator: "; "))")
            #expect(output.status == 0, "\(output.stdout) \(output.stderr)")
            // 2 s at 1,000/s: two or three intervals a tag, 2,000 requests in all.
            #expect(output.stdout.contains("corrected ") && output.stdout.contains("service "))
        }

        /// The JUnit XML parses (Python's xml.etree) with a test case per threshold and a failure per missed one.
        func expectJUnit(at path: String, merged: JSON) throws {
            let outcomes = try #require((merged["load"] as? JSON)?["thresholds"] as? [JSON])
            let missed = outcomes.filter { $0["passed"] as? Bool == false }.count
            #expect(missed >= 1)
            guard let python = ExternalTool.find("python3") else {
                print("skipped: the JUnit XML parse check needs python3")
                return
            }
            let script = """
                import sys, xml.etree.ElementTree as E
                root = E.parse(sys.argv[1]).getroot()
                cases = root.findall('./testsuite/testcase')
                print(len(cases), len([c for c in cases if c.find('failure') is not None]), root.get('tests'), root.get('failures'))
                print('|'.join(c.get('name') for c in cases))
                """
            let output = try ExternalTool.run(python, ["-c", script, path])
            #expect(output.status == 0, "\(output.stderr)")
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "\(outcomes.count) \(missed) \(outcomes.count) \(missed)")
            #expect(lines.dropFirst().first == "p99 < 100ms|service.p99 < 250ms|errors < 1%")
        }

        /// Merge refuses results of other runs, a different second result of one shard, and a mix
        /// with analyze results (exit 2); an identical result given twice, or an interrupted run of
        /// a shard beside its completed rerun, is merged once.
        func expectMergeRefusals(paths: [String], directory: URL, merged: JSON) throws {
            let first = try Self.read(paths[0])
            func variant(_ name: String, _ change: (inout JSON) -> Void) throws -> String {
                var json = first
                change(&json)
                let path = directory.appendingPathComponent(name).path
                try Self.write(json, to: path)
                return path
            }
            func shardField(_ key: String, _ value: Any) -> (inout JSON) -> Void {
                { json in
                    var load = json["load"] as? JSON ?? [:]
                    var shard = load["shard"] as? JSON ?? [:]
                    shard[key] = value
                    load["shard"] = shard
                    json["load"] = load
                }
            }
            func loadField(_ key: String, _ value: Any) -> (inout JSON) -> Void {
                { json in
                    var load = json["load"] as? JSON ?? [:]
                    load[key] = value
                    json["load"] = load
                }
            }
            let out = ["--json", directory.appendingPathComponent("refused.json").path, "--no-html", "--quiet"]
            let otherSeed = try variant("seed.json", shardField("seed", 8))
            let otherProfile = try variant("profile.json", shardField("profile", String(repeating: "0", count: 64)))
            let differentTwin = try variant("twin.json", loadField("requestsSent", 1_999))
            let capture = try variant("capture.json") { $0["source"] = ["kind": "capture", "inputs": []] }
            let cases: [(String, [String], String)] = [
                ("another seed", [otherSeed, paths[1]], "different runs (seed"),
                ("another profile", [paths[1], otherProfile], "different runs (another profile"),
                ("shard 0 twice", [paths[0], differentTwin, paths[1]], "two different results of shard 0"),
                ("a capture result", [paths[0], paths[1], capture], "not a load result"),
            ]
            for (label, inputs, message) in cases {
                let result = try #require(try Self.run(["merge"] + inputs + out))
                #expect(result.status == 2, "\(label): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(label): \(result.stderr)")
            }
            // The same file twice: merged once, the same totals.
            let mergedPath = directory.appendingPathComponent("again.json").path
            let again = try #require(
                try Self.run(["merge", paths[0], paths[0], paths[1], "--json", mergedPath, "--no-html", "--quiet", "--top", "100"]))
            #expect([0, 4].contains(again.status), "\(again.stderr)")
            #expect(again.stderr.contains("merged once"))
            #expect(Self.byCommand(try Self.read(mergedPath)) == Self.byCommand(merged))
            // An interrupted run of shard 0 beside the completed one: the completed one counts.
            let interrupted = try variant("interrupted.json") { json in
                loadField("interrupted", true)(&json)
                loadField("requestsSent", 10)(&json)
            }
            let rerun = try #require(
                try Self.run(["merge", interrupted, paths[0], paths[1], "--json", mergedPath, "--no-html", "--quiet", "--top", "100"]))
            #expect([0, 4].contains(rerun.status), "\(rerun.stderr)")
            #expect(rerun.stderr.contains("was interrupted and \(paths[0]) completed"), "\(rerun.stderr)")
            #expect(((try Self.read(mergedPath))["load"] as? JSON)?["requestsSent"] as? Int == 4_000)
        }

        /// Bad `--shard`, `--shards` without its index, a start in the past: clear errors, nothing run.
        @Test func badShardArgumentsAreRefused() throws {
            let directory = try Fixtures.temporaryDirectory("hotshard-shards-bad")
            defer { try? FileManager.default.removeItem(at: directory) }
            let profilePath = directory.appendingPathComponent("profile.yaml").path
            // Port 9: nothing is sent, every case stops before connecting.
            try Self.profile(port: 9).write(toFile: profilePath, atomically: true, encoding: .utf8)
            let out = ["--json", directory.appendingPathComponent("bad.json").path, "--no-html", "--quiet"]
            let cases: [([String], [String: String], Int32, String)] = [
                (["--shard", "2/2"], [:], 64, "--shard `2/2`"),
                (["--shard", "0/0"], [:], 64, "--shard `0/0`"),
                (["--shard", "one/two"], [:], 64, "expected I/N"),
                (["--shard", "0/2", "--shards", "2"], [:], 64, "not both"),
                (["--shards", "2"], ["JOB_COMPLETION_INDEX": ""], 64, "JOB_COMPLETION_INDEX=``"),
                (["--shards", "4"], ["JOB_COMPLETION_INDEX": "4"], 64, "from 0 to 3"),
                (["--shard", "0/2", "--start-at", "2020-01-01T00:00:00Z"], [:], 2, "in the past"),
                (["--start-at", "1600000000.5"], [:], 2, "in the past"),
                (["--start-at", "tomorrow"], [:], 64, "tomorrow"),
            ]
            for (arguments, environment, status, message) in cases {
                guard let result = try Self.run(["load", profilePath] + arguments + out, environment: environment) else { return }
                #expect(result.status == status, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
            // JOB_COMPLETION_INDEX unset (not inherited from this process).
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "JOB_COMPLETION_INDEX")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(BuiltProduct.hotshard))
            process.arguments = ["load", profilePath, "--shards", "2"] + out
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 64)
            #expect(stderr.contains("JOB_COMPLETION_INDEX, which is not set"), "\(stderr)")
        }
    }
}
