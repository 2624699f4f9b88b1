/// A server as `--servers host:port[:weight]` names it.
public struct ServerSpec: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address, as the real system names the server in its hashing.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Relative weight for weighted schemes (1 by default).
    public var weight: Int

    /// A server; weight 1 unless given.
    public init(host: String, port: Int, weight: Int = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }

    /// "host:port" as the server is written (the weight is not part of the name, as twemproxy
    /// and nginx print servers); an IPv6 host keeps its brackets, "[::1]:80".
    public var description: String { "\(hostAsWritten):\(port)" }

    /// The host as a configuration writes it: an IPv6 address (any host with a ':') in brackets.
    /// nginx hashes exactly this text for `hash … consistent` (ngx_http_upstream_hash_module.c).
    public var hostAsWritten: String { host.contains(":") ? "[\(host)]" : host }

    /// "host:port" with the host unbracketed: the name Hotshard's own schemes (rendezvous,
    /// bounded loads) have always hashed, kept so their placements do not change.
    public var plainName: String { "\(host):\(port)" }

    /// Parses `host:port[:weight]`; IPv6 hosts go in brackets (`[::1]:11211`).
    public static func parse(_ text: String) throws -> ServerSpec {
        var rest = Substring(text)
        var host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw PlacementError.badServer(text, "unclosed '['") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            guard rest.hasPrefix(":") else { throw PlacementError.badServer(text, "expected ':port' after ']'") }
            rest = rest.dropFirst()
        } else {
            guard let colon = rest.firstIndex(of: ":") else { throw PlacementError.badServer(text, "expected host:port") }
            host = rest[..<colon]
            rest = rest[rest.index(after: colon)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard !host.isEmpty else { throw PlacementError.badServer(text, "empty host") }
        guard parts.count == 1 || parts.count == 2, let port = Int(parts[0]), (1...65535).contains(port) else {
            throw PlacementError.badServer(text, "port must be 1…65535")
        }
        var weight = 1
        if parts.count == 2 {
            guard let w = Int(parts[1]), (1...1_000_000).contains(w) else {
                throw PlacementError.badServer(text, "weight must be a whole number 1…1000000")
            }
            weight = w
        }
        return ServerSpec(host: String(host), port: port, weight: weight)
    }

    /// Stand-in servers for `--nodes N`: host "node{i}", memcached's default port, weight 1.
    public static func numbered(_ count: Int) -> [ServerSpec] {
        (0..<max(count, 0)).map { ServerSpec(host: "node\($0)", port: 11211) }
    }
}
