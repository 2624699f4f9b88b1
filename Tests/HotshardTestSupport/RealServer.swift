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
    public init(_ kind: Kind, extraArguments: [String] = [],
                nginxConfig: ((_ port: UInt16, _ directory: URL) -> String)? = nil,
                haproxyConfig: ((_ port: UInt16, _ directory: URL) -> String)? = nil) throws {
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
            process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", workDirectory.path] + extraArguments
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

    private static func nginxConfig(port: UInt16, directory: URL) -> String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(directory.path)/nginx.pid;
        error_log \(directory.path)/error.log;
        events { worker_connections 1024; }
        http {
            access_log \(directory.path)/access.log;
            client_body_temp_path \(directory.path)/body;
            proxy_temp_path \(directory.path)/proxy;
            fastcgi_temp_path \(directory.path)/fastcgi;
            uwsgi_temp_path \(directory.path)/uwsgi;
            scgi_temp_path \(directory.path)/scgi;
            keepalive_requests 1000000;
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
        }
        """
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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port the kernel says is free now (bind to 0, read it back, close).
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RealServerError.noFreePort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw RealServerError.noFreePort }
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
