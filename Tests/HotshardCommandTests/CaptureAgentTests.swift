import Foundation
import Testing
import HotshardTestSupport

/// `analyze -i lo --rotate 1s`, a capture agent, against a real redis-server: the interval results,
/// merged, count exactly the requests the server counted itself (INFO commandstats), and an output
/// that cannot be written for a while loses nothing once it can be again.
@Suite(
    .serialized,
    .enabled(
        if: getuid() == 0 && RealServer.isAvailable(.redis) && BuiltProduct.hotshard != nil,
        "needs root for live capture, redis-server and the built hotshard: skipped"))
struct CaptureAgentTests {
    struct Result: Decodable {
        struct Capture: Decodable { let droppedIntervals: Int? }
        struct Totals: Decodable { let byCommand: [String: Int] }
        let capture: Capture
        let totals: Totals
    }

    static var binary: String { BuiltProduct.hotshard ?? "hotshard" }

    /// `analyze -i lo` on the server's port, rotating every second, for at most `seconds` (the
    /// tests stop it with SIGINT, as Ctrl-C, once their traffic is in).
    static func startAgent(port: UInt16, directory: URL, seconds: Int, extra: [String] = [], stderr: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "analyze", "-i", "lo", "--port", "resp=\(port)", "--filter", "tcp port \(port)", "--duration", "\(seconds)",
                "--rotate", "1s", "--output-dir", directory.path, "--name", "agent",
            ] + extra
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.runWithUnblockedSignals()
        return process
    }

    /// The server's own count of each command (`INFO commandstats`: `cmdstat_get:calls=N,…`).
    static func serverCounts(port: UInt16) throws -> [String: Int] {
        guard case .bulk(let bytes?) = try RedisConnection(port: port).call("INFO", "commandstats") else { return [:] }
        var counts: [String: Int] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\r\n") where line.hasPrefix("cmdstat_") {
            let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }.uppercased()
            if let calls = line.split(separator: ",").first?.split(separator: "=").last, let count = Int(calls) {
                counts[name] = count
            }
        }
        return counts
    }

    /// Known traffic in bursts over about `seconds`: SETs and GETs on one connection.
    static func send(port: UInt16, bursts: Int, perBurst: Int, pause: Double) throws {
        let redis = try RedisConnection(port: port)
        for burst in 0..<bursts {
            var commands: [[[UInt8]]] = []
            for index in 0..<perBurst {
                let key = Array("agent:\(burst):\(index % 50)".utf8)
                commands.append(index % 4 == 0 ? [Array("SET".utf8), key, Array("v".utf8)] : [Array("GET".utf8), key])
            }
            _ = try redis.pipeline(commands)
            Thread.sleep(forTimeInterval: pause)
        }
    }

    /// Waits until the agent has written its first interval (its capture is open and rotating:
    /// a debug build on a busy machine may take seconds to get there).
    static func waitForFirstInterval(_ directory: URL) {
        for _ in 0..<200 where intervalFiles(directory).isEmpty { Thread.sleep(forTimeInterval: 0.1) }
    }

    /// Stops the agent as Ctrl-C does, a second and a half after the last request (the capture
    /// reads what the kernel queued), and returns its stderr.
    static func stop(_ agent: Process, log: URL) -> String {
        Thread.sleep(forTimeInterval: 1.5)
        kill(agent.processIdentifier, SIGINT)
        agent.waitUntilExit()
        return (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    static func intervalFiles(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("agent-") && $0.hasSuffix(".json") }.sorted()
            .map { directory.appendingPathComponent($0).path }
    }

    static func merge(_ files: [String], into path: String) throws -> Result {
        let run = try ExternalTool.run(binary, ["merge"] + files + ["--json", path, "--no-html", "--quiet"])
        #expect(run.status == 0, "merge: \(run.stderr)")
        return try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The commands the test sent (the server also counts the INFO that reads its counters, sent
    /// after the capture ended).
    static func expectEqualCounts(_ merged: Result, _ server: [String: Int]) {
        for command in ["GET", "SET"] {
            #expect(merged.totals.byCommand[command] == server[command], "\(command): merged \(merged.totals.byCommand), server \(server)")
        }
        #expect((server["GET"] ?? 0) > 0)
    }

    @Test func rotatedIntervalsMergedEqualTheServersCounters() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-agent")
        let intervals = directory.appendingPathComponent("intervals")
        let log = directory.appendingPathComponent("agent.log")
        let agent = try Self.startAgent(port: server.port, directory: intervals, seconds: 60, stderr: log)
        defer { if agent.isRunning { agent.terminate() } }
        Self.waitForFirstInterval(intervals)
        try Self.send(port: server.port, bursts: 8, perBurst: 500, pause: 0.4)
        let stderr = Self.stop(agent, log: log)
        #expect(agent.terminationStatus == 0, "\(stderr)")
        let files = Self.intervalFiles(intervals)
        // About five seconds in one-second intervals aligned on the clock, each named by its start.
        #expect(files.count >= 4, "\(files)")
        #expect(
            files.allSatisfy {
                URL(fileURLWithPath: $0).lastPathComponent.range(of: #"^agent-\d{8}T\d{6}Z\.json$"#, options: .regularExpression) != nil
            })
        let merged = try Self.merge(files, into: directory.appendingPathComponent("merged.json").path)
        Self.expectEqualCounts(merged, try Self.serverCounts(port: server.port))
        // The traffic spanned several intervals: more than one holds requests.
        let busy = try files.filter { path in
            let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            return (result.totals.byCommand["GET"] ?? 0) > 0
        }
        #expect(busy.count >= 2)
    }

    /// The output directory is replaced by a file for about two intervals (as root, a read-only
    /// directory would still be written): the agent says so, keeps those intervals, and writes
    /// them when the directory can be made again; merged, nothing is missing.
    @Test func anUnwritableOutputLosesNothing() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-agent-failure")
        let intervals = directory.appendingPathComponent("intervals")
        let log = directory.appendingPathComponent("agent.log")
        let agent = try Self.startAgent(port: server.port, directory: intervals, seconds: 60, stderr: log)
        defer { if agent.isRunning { agent.terminate() } }
        Self.waitForFirstInterval(intervals)
        try Self.send(port: server.port, bursts: 2, perBurst: 300, pause: 0.5)
        // What was written so far moves aside; a file stands where the directory was. The agent
        // may make the directory again between the two steps (a write at that instant): then
        // that one moves aside too, until the file is in place.
        var aside: [URL] = []
        repeat {
            aside.append(directory.appendingPathComponent("before-\(aside.count)"))
            try FileManager.default.moveItem(at: intervals, to: aside[aside.count - 1])
        } while !FileManager.default.createFile(atPath: intervals.path, contents: Data("not a directory".utf8))
        try Self.send(port: server.port, bursts: 5, perBurst: 300, pause: 0.5)
        try FileManager.default.removeItem(at: intervals)
        try Self.send(port: server.port, bursts: 2, perBurst: 300, pause: 0.4)
        let stderr = Self.stop(agent, log: log)
        #expect(agent.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("could not write"), "\(stderr)")
        #expect(stderr.contains("kept in memory"), "\(stderr)")
        let files = aside.flatMap(Self.intervalFiles) + Self.intervalFiles(intervals)
        let merged = try Self.merge(files, into: directory.appendingPathComponent("merged.json").path)
        #expect(merged.capture.droppedIntervals == nil)
        Self.expectEqualCounts(merged, try Self.serverCounts(port: server.port))
    }

    /// Past `--rotate-keep-unwritten`, the oldest waiting interval is dropped, and the next result
    /// written says how many were.
    @Test func droppedIntervalsAreCounted() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-agent-drop")
        let intervals = directory.appendingPathComponent("intervals")
        FileManager.default.createFile(atPath: intervals.path, contents: Data("not a directory".utf8))
        let log = directory.appendingPathComponent("agent.log")
        let agent = try Self.startAgent(
            port: server.port, directory: intervals, seconds: 30, extra: ["--rotate-keep-unwritten", "1"], stderr: log)
        defer { if agent.isRunning { agent.terminate() } }
        let said = { (text: String) in ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(text) }
        // The file stays until the agent has dropped an interval, then goes; the agent stops (as at
        // Ctrl-C) once it has written again.
        for _ in 0..<150 where !said("dropped the unwritten interval") { Thread.sleep(forTimeInterval: 0.1) }
        try FileManager.default.removeItem(at: intervals)
        for _ in 0..<150 where Self.intervalFiles(intervals).isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        let stderr = Self.stop(agent, log: log)
        #expect(agent.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("dropped the unwritten interval"), "\(stderr)")
        let files = Self.intervalFiles(intervals)
        let dropped = try files.compactMap { path in
            try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path))).capture.droppedIntervals
        }
        #expect(dropped.reduce(0, +) >= 1, "\(files)")
        #expect(dropped.reduce(0, +) == stderr.components(separatedBy: "dropped the unwritten interval").count - 1)
    }
}
