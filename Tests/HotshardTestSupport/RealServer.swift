import Foundation

/// A real Debian server (redis-server, memcached, nginx, haproxy) started on a free loopback port for
/// one test and stopped when the value is released. Tests skip, visibly, when the binary is absent.
public final class RealServer: @unchecked Sendable {
    public enum Kind: String, Sendable {
        case redis = "redis-server"
        case memcached = "memcached"
        case nginx = "nginx"
        case haproxy = "haproxy"
    }

    public let kind: Kind
    public let port: UInt16
    public let workDirectory: URL
    private let process: Process

    /// Whether the server's binary is installed (`make setup` installs it).
    public static func isAvailable(_ kind: Kind) -> Bool {
        ExternalTool.find(kind.rawValue) != nil
    }

    /// Starts the server on 127.0.0.1 with `extraArguments` and waits until it accepts connections.
    /// `nginxConfig` replaces nginx's configuration: given the port it must listen on and the
    /// work directory, it returns the whole nginx.conf. `haproxyConfig` is HAProxy's whole
    /// haproxy.cfg (a frontend on 127.0.0.1:port); HAProxy has no default one.
    public init(
        _ kind: Kind, extraArguments: [String] = [],
        nginxConfig: ((_ port: UInt16, _ directory: URL) -> String)? = nil,
        haproxyConfig: ((_ port: UInt16, _ directory: URL) -> String)? = nil
    ) throws {
        guard let binary = ExternalTool.find(kind.rawValue) else {
            throw RealServerError.missingBinary(kind.rawValue)
        }
        self.kind = kind
        self.port = try RealServer.freePort()
        self.workDirectory = try Fixtures.temporaryDirectory("hotshard-\(kind.rawValue)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.currentDirectoryURL = workDirectory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        switch kind {
        case .redis:
            process.arguments =
                [
                    "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", workDirectory.path,
                ] + extraArguments
        case .memcached:
            process.arguments = ["-l", "127.0.0.1", "-p", "\(port)", "-U", "0", "-m", "64", "-u", "root"] + extraArguments
        case .nginx:
            let config = nginxConfig?(port, workDirectory) ?? RealServer.nginxConfig(port: port, directory: workDirectory)
            let configURL = workDirectory.appendingPathComponent("nginx.conf")
            try config.write(to: configURL, atomically: true, encoding: .utf8)
            process.arguments = ["-c", configURL.path, "-p", workDirectory.path] + extraArguments
        case .haproxy:
            let configURL = workDirectory.appendingPathComponent("haproxy.cfg")
            try (haproxyConfig?(port, workDirectory) ?? "").write(to: configURL, atomically: true, encoding: .utf8)
            // -db: stay in the foreground, no daemon, so stop() ends it.
            process.arguments = ["-db", "-f", configURL.path] + extraArguments
        }
        self.process = process
        try process.runWithUnblockedSignals()
        try waitUntilAccepting(timeoutSeconds: 10)
    }

    deinit { stop() }

    /// The server's process id, for SIGSTOP/SIGCONT and kill tests.
    public var processIdentifier: Int32 { process.processIdentifier }

    public func stop() {
        if process.isRunning {
            // SIGKILL, not SIGTERM: servers started from a test's worker thread inherit its
            // blocked-signal mask (SIGTERM included) and would never see a SIGTERM. A test
            // server has nothing to save.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    /// nginx's access log (one line per request), for counting what nginx served.
    public var nginxAccessLog: URL { workDirectory.appendingPathComponent("access.log") }

    /// A whole nginx.conf for a test: one worker in the foreground, every file it writes in
    /// `directory`, and `http` (upstreams, server blocks) inside its `http { }` block.
    public static func nginxConfig(directory: URL, accessLog: Bool = true, http: String) -> String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(directory.path)/nginx.pid;
        error_log \(directory.path)/error.log;
        events { worker_connections 1024; }
        http {
            access_log \(accessLog ? directory.path + "/access.log" : "off");
            client_body_temp_path \(directory.path)/body;
            proxy_temp_path \(directory.path)/proxy;
            fastcgi_temp_path \(directory.path)/fastcgi;
            uwsgi_temp_path \(directory.path)/uwsgi;
            scgi_temp_path \(directory.path)/scgi;
            keepalive_requests 1000000;
        \(http)
        }
        """
    }

    /// The default: `ok` for every path, plus a chunked reply and a 404.
    private static func nginxConfig(port: UInt16, directory: URL) -> String {
        nginxConfig(
            directory: directory,
            http: """
                    server {
                        listen 127.0.0.1:\(port);
                        location / { return 200 "ok\\n"; }
                        # A chunked reply (gzip drops Content-Length) and a 404, for the HTTP parser's tests.
                        location /chunked {
                            gzip on; gzip_min_length 1; gzip_types text/plain; default_type text/plain;
                            return 200 "a reply that nginx compresses and sends chunked\\n";
                        }
                        location /missing { return 404; }
                    }
                """)
    }

    private func waitUntilAccepting(timeoutSeconds: Double) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if RealServer.canConnect(port: port) { return }
            if !process.isRunning { throw RealServerError.exited(kind.rawValue, process.terminationStatus) }
            usleep(20_000)
        }
        throw RealServerError.notAccepting(kind.rawValue, port)
    }

    static func canConnect(port: UInt16) -> Bool {
        guard let fd = LoopbackSocket.connectedDescriptor(port: port) else { return false }
        close(fd)
        return true
    }

    /// A port the kernel says is free now (bind to 0, read it back, close).
    public static func freePort() throws -> UInt16 {
        let (fd, address) = try LoopbackSocket.boundDescriptor(Int32(SOCK_STREAM.rawValue))
        close(fd)
        return UInt16(bigEndian: address.sin_port)
    }
}

public enum RealServerError: Error, CustomStringConvertible {
    case missingBinary(String)
    case exited(String, Int32)
    case notAccepting(String, UInt16)
    case noFreePort

    public var description: String {
        switch self {
        case .missingBinary(let name): "\(name) is not installed (run `make setup`)"
        case .exited(let name, let status): "\(name) exited with status \(status) before accepting connections"
        case .notAccepting(let name, let port): "\(name) did not accept connections on 127.0.0.1:\(port)"
        case .noFreePort: "no free loopback port"
        }
    }
}
