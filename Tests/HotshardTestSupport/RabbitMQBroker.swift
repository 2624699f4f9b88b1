import Foundation

/// A real RabbitMQ broker (Debian's rabbitmq-server, with the consistent-hash exchange plugin)
/// started by `scripts/test/rabbitmq-test-server.sh` as a plain process on free loopback ports, and
/// stopped by its pid when the value is released. Tests skip, visibly, when it is not installed
/// or the test is not root (the broker drops to the `rabbitmq` user, which only root can do).
public final class RabbitMQBroker: @unchecked Sendable {
    public static let server = "/usr/lib/rabbitmq/bin/rabbitmq-server"
    static let script = Fixtures.path("../../scripts/test/rabbitmq-test-server.sh")

    public let port: UInt16
    public let directory: URL

    /// Whether a broker can be started here: rabbitmq-server installed and running as root.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: server) && getuid() == 0
    }

    /// Whether the pika client the tests' ground truth comes from is installed (`make setup`).
    public static let pikaAvailable: Bool = {
        guard let python = ExternalTool.find("python3") else { return false }
        return (try? ExternalTool.run(python, ["-c", "import pika"]))?.status == 0
    }()

    /// Starts a broker and waits until it has booted (about 6 s on an idle machine).
    public init() throws {
        port = try RealServer.freePort()
        let dist = try RealServer.freePort()
        let epmd = try RealServer.freePort()
        directory = try Fixtures.temporaryDirectory("hotshard-rabbitmq")
        // The broker runs as `rabbitmq`: it must reach its directory through /tmp's subdirectory.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        // The script closes every descriptor but 0-2 before it starts the broker in the
        // background, so that the broker holds no pipe of ours open.
        let output = try ExternalTool.run("/bin/bash", [Self.script, "start", directory.path, "\(port)", "\(dist)", "\(epmd)"])
        guard output.status == 0 else {
            stop()
            throw RabbitMQBrokerError.notStarted(output.stderr)
        }
    }

    deinit { stop() }

    public func stop() {
        // A paused broker would not see the script's SIGTERM.
        resume()
        _ = try? ExternalTool.run("/bin/bash", [Self.script, "stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// The broker's log (the script's RABBITMQ_LOG_BASE and node name).
    public var logURL: URL { directory.appendingPathComponent("log/hotshard-test-\(port)@localhost.log") }

    /// The connections the broker accepted from `since` on, as its log tells, read once `closing`
    /// of them have closed (the log is written a moment late) or after 10 s.
    public func connections(since: Date, closing: Int) -> RabbitMQConnectionLog {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            let log = RabbitMQConnectionLog(text: text, since: since)
            if log.closed >= closing || Date() > deadline { return log }
            usleep(50_000)
        }
    }

    /// The broker's own process (RABBITMQ_PID_FILE), nil before it wrote its pid.
    public var processIdentifier: pid_t? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("rabbitmq.pid"), encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Stops the broker's Erlang VM (SIGSTOP): it reads and answers nothing until `resume`, as a
    /// broker that hangs. Returns false when its pid is unknown.
    @discardableResult
    public func pause() -> Bool {
        guard let pid = processIdentifier else { return false }
        return kill(pid, SIGSTOP) == 0
    }

    public func resume() {
        if let pid = processIdentifier { kill(pid, SIGCONT) }
    }

    /// Runs `scripts/test/amqp-truth-client.py PORT ARGUMENTS…` and returns its JSON output.
    public func truthClient(_ arguments: [String]) throws -> [String: Any] {
        let python = ExternalTool.find("python3") ?? "/usr/bin/python3"
        let output = try ExternalTool.run(python, [Fixtures.path("../../scripts/test/amqp-truth-client.py"), "\(port)"] + arguments)
        guard output.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        else {
            throw RabbitMQBrokerError.clientFailed(output.stderr)
        }
        return object
    }
}

public enum RabbitMQBrokerError: Error, CustomStringConvertible {
    case notStarted(String)
    case clientFailed(String)

    public var description: String {
        switch self {
        case .notStarted(let log): "rabbitmq-server did not start: \(log)"
        case .clientFailed(let log): "amqp-truth-client.py failed: \(log)"
        }
    }
}
