import HotshardModel
import HotshardProtocols
import Testing
@testable import HotshardLoad

/// The pool's parts without servers: target lists, the router (the same placement as
/// `hotshard place`), the connection layout and the `CLUSTER SHARDS` reply reader.
struct PoolRoutingTests {
    @Test func severalTargetsNeedAScheme() throws {
        #expect(throws: PoolError.self) {
            try LoadPool.parse(targets: ["memcached://127.0.0.1:11211", "memcached://127.0.0.1:11212"], scheme: nil)
        }
        let (target, pool) = try LoadPool.parse(
            targets: ["memcached://127.0.0.1:11211", "memcached://127.0.0.1:11212"],
            scheme: "ketama")
        #expect(target.port == 11211)
        #expect(pool?.nodes.map(\.port) == [11211, 11212])
        #expect(pool?.schemeName == "ketama")
        // One target without a scheme is one server, as before.
        #expect(try LoadPool.parse(targets: ["redis://127.0.0.1:6379"], scheme: nil).pool == nil)
    }

    @Test func badPoolsAreRefusedWithTheReason() {
        #expect(throws: PoolError.self) {
            try LoadPool.parse(targets: ["memcached://127.0.0.1:1", "redis://127.0.0.1:2"], scheme: "jump")
        }
        #expect(throws: PoolError.self) {
            try LoadPool.parse(targets: ["memcached://127.0.0.1:1", "memcached://127.0.0.1:2"], scheme: "no-such-scheme")
        }
        #expect(throws: PoolError.self) {
            try LoadPool.parse(targets: ["redis+cluster://127.0.0.1:7000", "redis://127.0.0.1:2"], scheme: nil)
        }
        #expect(throws: LoadTarget.Problem.self) {
            try LoadPool.parse(targets: ["memcached://10.0.0.1:1", "memcached://127.0.0.1:2"], scheme: "jump")
        }
    }

    @Test func clusterTargetIsASeed() throws {
        let (seed, pool) = try LoadPool.parse(targets: ["redis+cluster://127.0.0.1:7000"], scheme: nil)
        #expect(seed == LoadTarget(scheme: .redis, host: "127.0.0.1", port: 7000))
        #expect(pool?.placement == .redisCluster)
    }

    @Test func profileTargetListAndMultiKeyRefusal() throws {
        let profile = try LoadTestSupport.profile(
            """
            target: [memcached://127.0.0.1:11211, memcached://127.0.0.1:11212, memcached://127.0.0.1:11213]
            scheme: jump
            keys: {count: 10}
            operations: [{op: GET, weight: 1}]
            """)
        #expect(profile.pool?.nodes.count == 3)
        #expect(profile.pool?.placement == .client(scheme: "jump"))
        #expect(throws: ProfileError.self) {
            try LoadTestSupport.profile(
                """
                target: [redis://127.0.0.1:1, redis://127.0.0.1:2]
                scheme: jump
                keys: {count: 10}
                operations: [{op: MGET, keys: 3, weight: 1}]
                """)
        }
        var overrides = ProfileOverrides()
        overrides.targets = ["memcached://127.0.0.1:1", "memcached://127.0.0.1:2"]
        overrides.scheme = "modulo-crc32"
        let overridden = try overrides.apply(to: profile)
        #expect(overridden.pool?.nodes.map(\.port) == [1, 2])
        #expect(overridden.pool?.schemeName == "modulo-crc32")
    }

    /// The router places as `hotshard place` does: jump's published placements (Lamping & Veach's
    /// reference implementation) for keys whose hash is known are not at hand here, so the check
    /// is against the scheme object itself over the same server names, key by key.
    @Test func routerAgreesWithThePlacementScheme() throws {
        let pool = LoadPool(
            nodes: (0..<4).map { LoadTarget(scheme: .memcached, host: "127.0.0.1", port: 11211 + $0) },
            placement: .client(scheme: "ketama"))
        let router = try pool.clientRouter()
        let ketama = try SchemeFactory.make("ketama", servers: (0..<4).map { ServerSpec(host: "127.0.0.1", port: 11211 + $0) })
        var seen = Set<Int>()
        for n in 0..<200 {
            let key = Key("key:\(n)")
            let node = router.node(for: [KeyReference(key: key)])
            #expect(node == ketama.node(for: key))
            seen.insert(node)
        }
        #expect(seen == [0, 1, 2, 3])
        #expect(router.node(for: []) == 0)
    }

    /// Redis Cluster: keys route by slot; `{user}` hash tags put both keys in one slot (5474 for
    /// "user": CRC16-XMODEM("user") mod 16384, which `CLUSTER KEYSLOT user` answers).
    @Test func clusterRouterUsesSlots() {
        let scheme = RedisClusterScheme(nodeNames: ["a:1", "b:2", "c:3"])
        let router = NodeRouter(scheme: scheme)
        #expect(RedisClusterScheme.slot(Array("user".utf8)) == 5474)
        let keys: KeyList = [KeyReference(key: Key("{user}:1")), KeyReference(key: Key("{user}:2"))]
        #expect(!router.spansNodes(keys))
        // 5474 is in the second node's range 5461…10922 of a three-master `--cluster create`.
        #expect(router.node(for: keys) == 1)
    }

    /// Connection layout: requests of node n take this worker's connections of node n in turn.
    @Test func routedRequestsUseTheirNodesConnections() throws {
        final class Fixed: RequestSource {
            var keys: [String]
            init(_ keys: [String]) { self.keys = keys }
            func nextIntendedNanos() -> Int64? { keys.isEmpty ? nil : 0 }
            func take(intended: Int64) -> PreparedRequest? {
                guard !keys.isEmpty else { return nil }
                return PreparedRequest(bytes: [], command: "GET", operation: .read, keys: [KeyReference(key: Key(keys.removeFirst()))])
            }
            var isExhausted: Bool { keys.isEmpty }
            func targetRate(at seconds: Double) -> Double? { nil }
        }
        let scheme = JumpScheme(nodeNames: ["a", "b", "c"])
        let names = (0..<30).map { "k\($0)" }
        // Worker with per-node connections 2..<4 of a 3-node pool: run-wide 6..<12, node-major.
        let routed = RoutedRequests(Fixed(names), router: NodeRouter(scheme: scheme), base: 6, perNode: 2, firstConnection: 2)
        var turns: [Int: Int] = [:]
        for name in names {
            let request = try #require(routed.take(intended: 0))
            let node = scheme.node(for: Key(name))
            let connection = try #require(request.connection)
            #expect((6 + node * 2)..<(6 + node * 2 + 2) ~= connection)
            #expect(connection == 6 + node * 2 + (turns[node, default: 0] % 2))
            turns[node, default: 0] += 1
        }
    }

    /// A `CLUSTER SHARDS` reply of a three-master cluster (RESP2 bytes as redis-server 7 sends
    /// them, one replica-less shard per master) reads to the slot ranges it names.
    @Test func clusterShardsReplyReadsToItsSlotMap() throws {
        func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
        func shard(_ low: Int, _ high: Int, port: Int) -> String {
            "*4\r\n" + bulk("slots") + "*2\r\n:\(low)\r\n:\(high)\r\n" + bulk("nodes") + "*1\r\n*14\r\n"
                + bulk("id") + bulk(String(repeating: "a", count: 40)) + bulk("port") + ":\(port)\r\n"
                + bulk("ip") + bulk("127.0.0.1") + bulk("endpoint") + bulk("127.0.0.1") + bulk("hostname") + bulk("")
                + bulk("role") + bulk("master") + bulk("health") + bulk("online")
        }
        let reply = Array(
            ("*3\r\n" + shard(5461, 10922, port: 30002) + shard(0, 5460, port: 30001)
                + shard(10923, 16383, port: 30003)).utf8)
        var index = 0
        var lines: [String] = []
        // Cut short, it asks for more bytes.
        #expect(try RedisClusterSlotMap.flatten(Array(reply.dropLast(3)), at: &index, into: &lines) == false)
        index = 0
        lines = []
        #expect(try RedisClusterSlotMap.flatten(reply, at: &index, into: &lines))
        #expect(index == reply.count)
        let map = try RedisClusterShards.parse(lines.joined(separator: "\n") + "\n")
        #expect(map.nodeNames == ["127.0.0.1:30001", "127.0.0.1:30002", "127.0.0.1:30003"])
        #expect(map.ranges() == [[0...5460], [5461...10922], [10923...16383]])
        var errorIndex = 0
        #expect(throws: (any Error).self) {
            try RedisClusterSlotMap.flatten(
                Array("-ERR This instance has cluster support disabled\r\n".utf8),
                at: &errorIndex, into: &lines)
        }
    }
}

/// Redirection replies as Redis Cluster writes them (cluster spec, "Redirection and resharding").
struct ClusterRedirectTests {
    @Test func movedAndAskAreRead() {
        #expect(
            ClusterRedirect(Array("-MOVED 3999 127.0.0.1:6381\r\n".utf8))
                == ClusterRedirect(ask: false, slot: 3999, host: "127.0.0.1", port: 6381))
        #expect(
            ClusterRedirect(Array("-ASK 3999 127.0.0.1:6381\r\n".utf8))
                == ClusterRedirect(ask: true, slot: 3999, host: "127.0.0.1", port: 6381))
        #expect(ClusterRedirect(Array("-MOVED 12 [::1]:7000\r\n".utf8))?.host == "::1")
        #expect(ClusterRedirect(Array("-MOVED 12 :7000\r\n".utf8))?.host == "127.0.0.1")
    }

    @Test func otherRepliesAreNot() {
        #expect(ClusterRedirect(Array("-ERR unknown command\r\n".utf8)) == nil)
        #expect(ClusterRedirect(Array("-MOVED 16384 127.0.0.1:1\r\n".utf8)) == nil)
        #expect(ClusterRedirect(Array("+OK\r\n".utf8)) == nil)
    }
}
