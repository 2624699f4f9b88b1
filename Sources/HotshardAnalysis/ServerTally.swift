import HotshardCapture
import HotshardProtocols

/// One server's load as the traffic showed it: what the layout looks like today, from the capture
/// itself (a pool's members, a Redis Cluster's nodes).
public struct ServerLoad: Codable, Sendable, Equatable {
    /// `a.b.c.d:port` or `[v6]:port`, as `Endpoint` prints it.
    public var server: String
    /// A stable id of the endpoint (the same in every process), for joining keys and merging.
    public var id: UInt64
    public var requests = 0
    public var keyReferences = 0
    public var requestBytes = 0
    public var replyBytes = 0
    public var errors = 0
    var latency = LogHistogram()

    /// p50, p99 and max in µs; nil when no reply was paired.
    public var latencyMicros: (p50: Double, p99: Double, max: Double)? {
        guard latency.total > 0 else { return nil }
        return (
            Double(latency.value(at: 50) ?? 0) / 1_000, Double(latency.value(at: 99) ?? 0) / 1_000,
            Double(latency.maximum) / 1_000
        )
    }

    /// The endpoint's stable id: its address and port mixed (not `hashValue`, which is seeded per process).
    @inline(__always)
    static func id(of endpoint: Endpoint) -> UInt64 {
        var h = endpoint.addressHigh &* 0x9e37_79b9_7f4a_7c15
        h ^= endpoint.addressLow &* 0xc2b2_ae3d_27d4_eb4f
        h ^= UInt64(endpoint.port) &* 0x1656_67b1_9e37_79f9
        h ^= h >> 29
        // 0 means "no server" in `KeyStatistics`.
        return h == 0 ? 1 : h
    }

    mutating func add(_ other: ServerLoad) {
        requests += other.requests
        keyReferences += other.keyReferences
        requestBytes += other.requestBytes
        replyBytes += other.replyBytes
        errors += other.errors
        latency.add(other.latency)
    }
}

/// Per-server load, in bounded memory: up to `limit` servers by their first message; the traffic of
/// any further server is counted in one last entry named "other servers".
struct ServerTally: Sendable {
    static let limit = 1024
    private(set) var servers: [ServerLoad] = []
    private var index: [UInt64: Int] = [:]
    /// The last message's server: a flow sends many messages in a row.
    private var lastID: UInt64 = 0
    private var lastIndex = 0

    @inline(__always)
    mutating func record(_ message: Message, id: UInt64, isError: Bool) {
        let slot: Int
        if id == lastID, lastIndex < servers.count {
            slot = lastIndex
        } else {
            slot = find(id, endpoint: message.flow.server)
            lastID = id
            lastIndex = slot
        }
        servers[slot].requests += 1
        servers[slot].keyReferences += message.keys.count
        servers[slot].requestBytes += message.requestBytes
        servers[slot].replyBytes += message.replyBytes
        if isError { servers[slot].errors += 1 }
        if let latency = message.latencyNanos { servers[slot].latency.record(latency) }
    }

    private mutating func find(_ id: UInt64, endpoint: Endpoint) -> Int {
        if let known = index[id] { return known }
        if servers.count < Self.limit {
            servers.append(ServerLoad(server: endpoint.description, id: id))
        } else if servers.count == Self.limit {
            servers.append(ServerLoad(server: "other servers", id: 0))
        }
        let slot = min(servers.count - 1, Self.limit)
        if slot < Self.limit { index[id] = slot }
        return slot
    }

    /// Adds another tally's servers (by id; equal ids are the same endpoint).
    static func merged(_ a: [ServerLoad], _ b: [ServerLoad]) -> [ServerLoad] {
        var result = a
        var position: [UInt64: Int] = [:]
        for (offset, server) in result.enumerated() { position[server.id] = offset }
        for server in b {
            if let at = position[server.id] {
                result[at].add(server)
            } else {
                position[server.id] = result.count
                result.append(server)
            }
        }
        return result.sorted { ($0.requests, $1.server) > ($1.requests, $0.server) }
    }
}
