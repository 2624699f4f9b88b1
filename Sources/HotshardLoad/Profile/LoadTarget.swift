/// Where a load goes: protocol, loopback host and port. Only loopback addresses are accepted —
/// the tool's safety rule, so that a profile can never aim load at a shared server.
public struct LoadTarget: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case redis, memcached, http, amqp }

    public var scheme: Scheme
    /// A numeric loopback address (`127.0.0.1`, any 127/8, or `::1`).
    public var host: String
    public var port: Int

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case badURL(String)
        case notLoopback(String)
        public var description: String {
            switch self {
            case .badURL(let text):
                "target \(text) is not redis://HOST:PORT, memcached://HOST:PORT, http://HOST:PORT or amqp://HOST:PORT"
            case .notLoopback(let host):
                "target host \(host) is not a loopback address: hotshard load only drives servers on this machine (127.0.0.0/8, ::1, localhost)"
            }
        }
    }

    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses `redis://127.0.0.1:6379` (default ports 6379, 11211, 80, 5672); refuses non-loopback hosts
    /// unless `loopbackOnly` is false (replay, whose writes to other hosts ask for `--allow-writes`).
    public init(parsing text: String, loopbackOnly: Bool = true) throws(Problem) {
        guard let separator = text.range(of: "://"),
            let scheme = Scheme(rawValue: String(text[..<separator.lowerBound]).lowercased())
        else {
            throw .badURL(text)
        }
        var rest = String(text[separator.upperBound...])
        if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
        var host: String
        var portText: String?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badURL(text) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty { throw .badURL(text) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = String(rest[rest.index(after: colon)...])
        } else {
            host = rest
        }
        let defaultPort =
            switch scheme {
            case .redis: 6379;
            case .memcached: 11211;
            case .http: 80
            case .amqp: 5672
            }
        var port = defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { throw .badURL(text) }
            port = parsed
        }
        guard !host.isEmpty else { throw .badURL(text) }
        if host.lowercased() == "localhost" { host = "127.0.0.1" }
        guard !loopbackOnly || Self.isLoopback(host) else { throw .notLoopback(host) }
        self.init(scheme: scheme, host: host, port: port)
    }

    /// True for dotted-quad 127/8 and `::1` (numeric forms only: no name resolution).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        let octets = parts.compactMap { UInt8($0) }
        return octets.count == 4 && octets[0] == 127
    }

    public var description: String {
        host.contains(":") ? "\(scheme.rawValue)://[\(host)]:\(port)" : "\(scheme.rawValue)://\(host):\(port)"
    }
}
