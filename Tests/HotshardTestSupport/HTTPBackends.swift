import Foundation

/// Small HTTP backends (scripts/test/http-backends.py, one python3 process) on loopback addresses,
/// each answering with its own port, so a test behind a proxy sees which backend served a
/// request. Requests to /hold/… stay in flight until `release()`; `held()` counts them per port.
public final class HTTPBackends: @unchecked Sendable {
    public let addresses: [String]
    private let process: Process
    private let directory: URL
    /// An IPv4 backend's port, to ask for /held and /release directly.
    private let controlPort: UInt16

    public static var isAvailable: Bool { ExternalTool.find("python3") != nil }

    /// `addresses` as "127.0.0.1:PORT" or "[::1]:PORT"; at least one IPv4.
    public init(_ addresses: [String]) throws {
        guard let python = ExternalTool.find("python3") else { throw RealServerError.missingBinary("python3") }
        guard let control = addresses.first(where: { !$0.hasPrefix("[") }),
            let port = control.split(separator: ":").last.flatMap({ UInt16($0) })
        else {
            throw RealServerError.noFreePort
        }
        self.addresses = addresses
        controlPort = port
        directory = try Fixtures.temporaryDirectory("hotshard-backends")
        let ready = directory.appendingPathComponent("ready")
        let script = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/test/http-backends.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, ready.path] + addresses
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runWithUnblockedSignals()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard Date() < deadline, process.isRunning else {
                throw RealServerError.exited("http-backends.py", process.isRunning ? 0 : process.terminationStatus)
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Requests held right now, per port.
    public func held() throws -> [Int: Int] {
        let body = try HTTPPipeline.get(port: controlPort, targets: [Array("/held".utf8)])[0].body
        var result: [Int: Int] = [:]
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let port = Int(parts[0]), let n = Int(parts[1]) { result[port] = n }
        }
        return result
    }

    /// Answers every held request.
    public func release() throws {
        _ = try HTTPPipeline.get(port: controlPort, targets: [Array("/release".utf8)])
    }
}
