import Foundation
import HotshardTestSupport
@testable import HotshardLoad

/// Small helpers for the load tests: run a profile given as YAML, and read memcached's stats.
enum LoadTestSupport {
    static func profile(_ yaml: String) throws -> LoadProfile {
        try ProfileReader.parse(yaml, file: "test-profile.yaml")
    }

    static func run(_ yaml: String, during: (@Sendable () async -> Void)? = nil) async throws -> LoadRun {
        let runner = LoadRunner(profile: try profile(yaml))
        let side = Task { await during?() }
        let run = try await runner.run()
        await side.value
        return run
    }

    /// Stops a server with SIGKILL: servers started from a thread that blocks signals (Swift
    /// concurrency, Dispatch) inherit the blocked mask and never see SIGTERM.
    static func stop(_ server: RealServer) {
        kill(server.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while kill(server.processIdentifier, 0) == 0, Date() < deadline {
            usleep(10_000)
        }
        server.stop()
    }

    /// Waits for a killed process without Foundation's run-loop wait (which spins on a
    /// concurrency thread): polls until it has exited, for at most five seconds.
    static func reap(_ process: Process, seconds: Double = 5) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(10_000) }
    }

    /// What a child wrote to `pipe` until a line holding `marker` arrived, the pipe ended or
    /// `seconds` passed (checked between writes): a test signals the child only once it runs,
    /// however long a loaded machine takes to start it.
    static func read(_ pipe: Pipe, until marker: String, seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        while !text.contains(marker), Date() < deadline {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text
    }

    /// memcached's `stats` as name → value.
    static func memcachedStats(port: UInt16) throws -> [String: String] {
        let connection = try LoopbackSocket(port: port)
        try connection.send("stats\r\n")
        let received = try connection.receive(endingWith: "END\r\n")
        var stats: [String: String] = [:]
        for line in String(decoding: received, as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[0] == "STAT" { stats[String(parts[1])] = String(parts[2]) }
        }
        return stats
    }

    /// redis `INFO commandstats` as command → calls.
    static func redisCommandCalls(port: UInt16) throws -> [String: Int] {
        try RedisConnection(port: port).commandCalls()
    }

    /// The 1-minute load average is below 4 per core. On this 2-core machine 20,000/s held ±1% per
    /// second at load averages 6.4-8.5 and missed at 10-10.7 (stalls of 70-680 ms).
    static var machineIsQuiet: Bool {
        var load = [0.0]
        guard getloadavg(&load, 1) == 1 else { return false }
        return load[0] < 4 * Double(ProcessInfo.processInfo.activeProcessorCount)
    }

    static var machineLoad: String {
        var load = [0.0]
        _ = getloadavg(&load, 1)
        return "load average \(load[0]) on \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }

    /// Starts redis-server on a given loopback port (for the restart test), waiting until it accepts.
    static func startRedis(port: UInt16, directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExternalTool.find("redis-server") ?? "/usr/bin/redis-server")
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runWithUnblockedSignals()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? RedisConnection(port: port)) != nil { return process }
            usleep(20_000)
        }
        process.terminate()
        throw RealServerError.notAccepting("redis-server", port)
    }
}
