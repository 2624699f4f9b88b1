import HotshardModel

extension LoadPool {
    /// Targets as given (`--target` repeated, or a profile's `target:` list) with the pool's scheme:
    /// one target without a scheme is one server (nil pool); several need `scheme` (no default
    /// decides placement silently) and must speak the same protocol (redis or memcached);
    /// `redis+cluster://HOST:PORT` alone is a Redis Cluster routed by its slot map (no scheme).
    /// Returns the first target (the profile's `target`) and the pool.
    public static func parse(
        targets: [String], scheme: String?,
        loopbackOnly: Bool = true
    ) throws -> (target: LoadTarget, pool: LoadPool?) {
        guard let first = targets.first else { throw PoolError.mixedSchemes("no target given") }
        let clusterPrefix = "redis+cluster://"
        if targets.contains(where: { $0.lowercased().hasPrefix(clusterPrefix) }) {
            guard targets.count == 1 else {
                throw PoolError.mixedSchemes(
                    "redis+cluster:// names one seed node of a cluster; give it alone (the other nodes come from its slot map)")
            }
            if let scheme, scheme != "redis-cluster" {
                throw PoolError.mixedSchemes("a Redis Cluster places keys by its slot map; --scheme \(scheme) does not apply to redis+cluster://")
            }
            let seed = try LoadTarget(parsing: "redis://" + first.dropFirst(clusterPrefix.count), loopbackOnly: loopbackOnly)
            return (seed, LoadPool(nodes: [seed], placement: .redisCluster))
        }
        let parsed = try targets.map { try LoadTarget(parsing: $0, loopbackOnly: loopbackOnly) }
        guard parsed.count > 1 || scheme != nil else { return (parsed[0], nil) }
        guard let scheme else {
            throw PoolError.mixedSchemes(
                "\(parsed.count) targets make a pool: say how keys are placed on them with --scheme (ketama, jump, rendezvous, modulo-crc32, … as `hotshard place` knows them)"
            )
        }
        guard parsed.allSatisfy({ $0.scheme == parsed[0].scheme }) else {
            throw PoolError.mixedSchemes(
                "the targets of a pool must all speak one protocol, got \(Set(parsed.map(\.scheme.rawValue)).sorted().joined(separator: " and "))")
        }
        guard parsed[0].scheme != .http else {
            throw PoolError.mixedSchemes("pools are for memcached and Redis servers; an HTTP target is one server")
        }
        guard Set(parsed.map(\.description)).count == parsed.count else {
            throw PoolError.mixedSchemes("a pool names each server once")
        }
        let pool = LoadPool(nodes: parsed, placement: .client(scheme: scheme))
        do {
            _ = try pool.clientRouter()
        } catch {
            throw PoolError.mixedSchemes("--scheme \(scheme): \(error)")
        }
        return (parsed[0], pool)
    }

    /// Refuses operations that name several keys (see the type's note on multi-key requests).
    public static func checkSingleKey(_ profile: LoadProfile) throws {
        let operations = profile.operations + profile.phases.flatMap { $0.operations ?? [] }
        if let multi = operations.first(where: { $0.keys > 1 || $0.kind == .multiGet }) {
            throw PoolError.multiKey(multi.kind == .multiGet ? "multi-get of \(multi.keys) keys" : multi.kind.rawValue)
        }
    }
}
