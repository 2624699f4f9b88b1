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
        _ = try? ExternalTool.run("/bin/bash", [Self.script, "stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
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
