import HotshardBytes

/// What names the "key" of an HTTP request.
public enum HTTPKeyMode: Sendable, Equatable, Hashable {
    /// The path without the query (`/user/42?v=1` → `/user/42`): the hot resource. The default.
    case path
    /// The path with its query.
    case pathWithQuery
    /// `Host` + path (`example.com/user/42`), for captures of several virtual hosts.
    case hostAndPath
    /// A header's value (`X-Tenant`).
    case header(String)
    /// A query parameter's value (`id`).
    case queryParameter(String)
    /// The path with ID-like segments (digits, UUIDs, hex of 16+ characters) collapsed to `:id`:
    /// the hot endpoint (`/user/42` → `/user/:id`).
    case route

    /// Parses `path`, `path-query`, `host-path`, `route`, `header:NAME`, `query:NAME`.
    public init?(option: String) {
        switch option {
        case "path": self = .path
        case "path-query": self = .pathWithQuery
        case "host-path": self = .hostAndPath
        case "route": self = .route
        default:
            if option.hasPrefix("header:"), option.count > 7 {
                self = .header(String(option.dropFirst(7)).lowercased())
            } else if option.hasPrefix("query:"), option.count > 6 {
                self = .queryParameter(String(option.dropFirst(6)))
            } else {
                return nil
            }
        }
    }

    /// Whether the key needs the request's headers (Host, or the named header), not only its target.
    var needsHeaders: Bool {
        switch self {
        case .hostAndPath, .header: true
        default: false
        }
    }

    /// The key as `Key`: the path modes straight from the target's bytes, with no array made per request.
    func keyValue(target: ByteView, host: [UInt8]?, header: (String) -> [UInt8]?) -> Key? {
        switch self {
        case .path:
            return Key(target.prefix(upTo: target.firstIndex(of: UInt8(ascii: "?")) ?? target.count))
        case .pathWithQuery:
            return Key(target)
        default:
            return key(target: Array(target), host: host, header: header).map { Key($0) }
        }
    }

    /// The key of a request with this target, Host and header lookup; nil when the mode's part is absent.
    func key(target: [UInt8], host: [UInt8]?, header: (String) -> [UInt8]?) -> [UInt8]? {
        let path =
            target.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false).first
            .map(Array.init) ?? target
        switch self {
        case .path: return path
        case .pathWithQuery: return target
        case .hostAndPath: return (host ?? []) + path
        case .header(let name): return header(name)
        case .queryParameter(let name):
            guard let question = target.firstIndex(of: UInt8(ascii: "?")) else { return nil }
            for pair in target[(question + 1)...].split(separator: UInt8(ascii: "&")) {
                let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first.map(Array.init) == Array(name.utf8) { return parts.count > 1 ? Array(parts[1]) : [] }
            }
            return nil
        case .route:
            var out: [UInt8] = []
            for (index, segment) in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).enumerated() {
                if index > 0 { out.append(UInt8(ascii: "/")) }
                out += Self.isIdentifier(segment) ? Array(":id".utf8) : Array(segment)
            }
            return out
        }
    }

    static func isIdentifier(_ segment: ArraySlice<UInt8>) -> Bool {
        guard !segment.isEmpty else { return false }
        if segment.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        let hex = segment.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
        if hex, segment.count >= 16 { return true }
        // UUID: 8-4-4-4-12 hex digits.
        if segment.count == 36 {
            for (offset, byte) in segment.enumerated() {
                let dash = offset == 8 || offset == 13 || offset == 18 || offset == 23
                let isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                if dash ? byte != UInt8(ascii: "-") : !isHex { return false }
            }
            return true
        }
        return false
    }
}
