import Foundation
import HotshardModel
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

extension RealServerSuites {
    /// Load against pools of real servers on loopback: each server's own counters must equal the
    /// per-node counts of the result, and equal where the placement scheme puts the keys sent.
    @Suite struct PoolRealServerTests {
        /// Exact per-key counts of the run (the key space fits the analyzer).
        static func perKey(_ run: LoadRun) -> [Key: Int] {
            Dictionary(uniqueKeysWithValues: run.analysis.hotKeys(limit: 1_000_000).map { ($0.key, $0.count) })
        }

        /// Requests per node as `scheme` places the keys the run sent.
        static func placed(_ run: LoadRun, _ scheme: any PlacementScheme) -> [Int] {
            var counts = [Int](repeating: 0, count: scheme.nodeNames.count)
            for (key, count) in perKey(run) { counts[scheme.node(for: key)] += count }
            return counts
        }

        @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
        func fourMemcachedBehindKetama() async throws {
            var servers: [RealServer] = []
            defer { for server in servers { LoadTestSupport.stop(server) } }
            for _ in 0..<4 { servers.append(try RealServer(.memcached)) }
            let targets = servers.map { "memcached://127.0.0.1:\($0.port)" }.joined(separator: ", ")
            let run = try await LoadTestSupport.run(
                """
                target: [\(targets)]
                scheme: ketama
                connections: 2
                pipeline: 4
                seed: 5
                arrival: closed-loop
                requests: 4000
                keys: {count: 300, format: "item:{n}", distribution: {kind: zipfian, theta: 0.9}}
                operations: [{op: GET, weight: 80}, {op: SET, weight: 20}]
                values: {size: 16}
                """)
            #expect(run.errorCount == 0)
            #expect(run.requestsSent == 4000)
            #expect(run.scheme == "ketama")
            #expect(run.analysis.exact)
            let ketama = try SchemeFactory.make("ketama", servers: servers.map { ServerSpec(host: "127.0.0.1", port: Int($0.port)) })
            let predicted = Self.placed(run, ketama)
            var fromServers: [Int] = []
            for (index, server) in servers.enumerated() {
                let stats = try LoadTestSupport.memcachedStats(port: server.port)
                let served = (Int(stats["cmd_get"] ?? "") ?? -1) + (Int(stats["cmd_set"] ?? "") ?? -1)
                fromServers.append(served)
                #expect(run.nodes[index].name == "127.0.0.1:\(server.port)")
                #expect(run.nodes[index].completed == run.nodes[index].sent)
                #expect(run.nodes[index].service.totalCount == UInt64(run.nodes[index].sent))
            }
            print("ketama pool: servers \(fromServers), result \(run.nodes.map(\.sent)), placement \(predicted)")
            #expect(run.nodes.map(\.sent) == fromServers)
            #expect(predicted == fromServers)
            #expect(fromServers.allSatisfy { $0 > 0 })
        }

        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && ExternalTool.find("redis-cli") != nil,
                "needs redis-server and redis-cli (make setup)"))
        func threeNodeRedisClusterBySlot() async throws {
            let cluster = try Self.startCluster()
            defer { for server in cluster { LoadTestSupport.stop(server) } }
            let run = try await LoadTestSupport.run(
                """
                target: redis+cluster://127.0.0.1:\(cluster[0].port)
                connections: 2
                pipeline: 4
                seed: 7
                arrival: closed-loop
                requests: 3000
                keys: {count: 400, format: "user:{n}", distribution: {kind: zipfian, theta: 0.9}}
                operations: [{op: GET, weight: 70}, {op: SET, weight: 30}]
                values: {size: 16}
                """)
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
            #expect(run.scheme == "redis-cluster")
            let names = cluster.map { "127.0.0.1:\($0.port)" }
            let map = RedisClusterScheme(nodeNames: names)  // --cluster create's ranges, in creation order
            let predicted = Self.placed(run, map)
            var fromServers: [Int] = []
            for (index, server) in cluster.enumerated() {
                let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
                fromServers.append((calls["GET"] ?? 0) + (calls["SET"] ?? 0))
                #expect(run.nodes[index].name == names[index])
                #expect(run.nodes[index].redirections == 0)
            }
            print("cluster: servers \(fromServers), result \(run.nodes.map(\.sent)), placement \(predicted)")
            #expect(run.nodes.map(\.sent) == fromServers)
            #expect(predicted == fromServers)
            #expect(fromServers.reduce(0, +) == 3000)
        }

        /// The hottest key's slot changes hands during the run: first migrating (its owner answers
        /// `ASK`, the importing node serves after `ASKING`), then moved (`MOVED`, and the slot map is
        /// updated). Each request is answered once; each node's GET calls are what it was sent less
        /// what it redirected, and the ASKING calls are the ASKs followed.
        @Test(
            .enabled(
                if: RealServer.isAvailable(.redis) && ExternalTool.find("redis-cli") != nil,
                "needs redis-server and redis-cli (make setup)"))
        func clusterRedirectionsAreFollowed() async throws {
            let cli = try #require(ExternalTool.find("redis-cli"))
            let cluster = try Self.startCluster()
            defer { for server in cluster { LoadTestSupport.stop(server) } }
            let names = cluster.map { "127.0.0.1:\($0.port)" }
            let slot = RedisClusterScheme.slot(Array("user:0".utf8))
            let owner = RedisClusterScheme(nodeNames: names).node(for: Key("user:0"))
            let destination = (owner + 1) % 3
            func id(_ index: Int) throws -> String {
                try ExternalTool.run(cli, ["-p", "\(cluster[index].port)", "CLUSTER", "MYID"]).stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let ownerID = try id(owner)
            let destinationID = try id(destination)
            let ports = cluster.map(\.port)
            let run = try await LoadTestSupport.run(
                """
                target: redis+cluster://127.0.0.1:\(cluster[0].port)
                connections: 1
                pipeline: 8
                seed: 3
                arrival: {kind: constant, rate: 2000}
                requests: 3000
                keys: {count: 50, format: "user:{n}", distribution: {kind: zipfian, theta: 0.99}}
                operations: [{op: GET, weight: 1}]
                """,
                during: {
                    @Sendable func setslot(_ index: Int, _ arguments: [String]) {
                        _ = try? ExternalTool.run(cli, ["-p", "\(ports[index])", "CLUSTER", "SETSLOT", "\(slot)"] + arguments)
                    }
                    try? await Task.sleep(nanoseconds: 400_000_000)
                    setslot(destination, ["IMPORTING", ownerID])
                    setslot(owner, ["MIGRATING", destinationID])
                    try? await Task.sleep(nanoseconds: 400_000_000)
                    setslot(destination, ["NODE", destinationID])
                    setslot(owner, ["NODE", destinationID])
                })
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
            #expect(run.completed == 3000)
            var gets: [Int] = []
            var asking: [Int] = []
            for server in cluster {
                let calls = try LoadTestSupport.redisCommandCalls(port: server.port)
                gets.append(calls["GET"] ?? 0)
                asking.append(calls["ASKING"] ?? 0)
            }
            let redirections = run.nodes.map(\.redirections)
            print("redirections: per node sent \(run.nodes.map(\.sent)), redirected \(redirections), GET calls \(gets), ASKING \(asking)")
            #expect(redirections[owner] > 0)
            #expect(asking[destination] > 0)
            // And at least one MOVED once the slot was the destination's (the rest went there directly).
            #expect(redirections[owner] > asking[destination])
            #expect(zip(run.nodes, gets).allSatisfy { $0.sent - $0.redirections == $1 })
            #expect(gets.reduce(0, +) == 3000)
            // Every redirection came from the slot's owner: ASKs while migrating, MOVEDs after.
            #expect(redirections.reduce(0, +) == redirections[owner])
        }

        /// Three cluster-enabled redis-servers made one cluster with `redis-cli --cluster create`,
        /// in the order given (node i holds create's i-th slot range).
        static func startCluster() throws -> [RealServer] {
            let cli = try #require(ExternalTool.find("redis-cli"))
            var servers: [RealServer] = []
            do {
                for _ in 0..<3 { servers.append(try RealServer.redisClusterNode()) }
                let created = try ExternalTool.run(cli, ["--cluster", "create"] + servers.map { "127.0.0.1:\($0.port)" } + ["--cluster-yes"])
                try #require(created.stdout.contains("All 16384 slots covered"), "create: \(created.stdout) \(created.stderr)")
                // Until every node serves its slots (cluster_state:ok on each).
                for server in servers {
                    var ok = false
                    for _ in 0..<100 where !ok {
                        ok = try ExternalTool.run(cli, ["-p", "\(server.port)", "CLUSTER", "INFO"]).stdout.contains("cluster_state:ok")
                        if !ok { usleep(50_000) }
                    }
                    try #require(ok, "node \(server.port) never reached cluster_state:ok")
                }
            } catch {
                for server in servers { LoadTestSupport.stop(server) }
                throw error
            }
            return servers
        }
    }
}

extension RealServerSuites.PoolRealServerTests {
    /// A capture replayed to three memcached under jump: each server's gets and sets equal the
    /// per-node counts of the replay, and equal the lab capture's own per-key truth placed by jump.
    @Test(.enabled(if: RealServer.isAvailable(.memcached), "memcached is not installed: run make setup"))
    func replayToAMemcachedPool() async throws {
        var servers: [RealServer] = []
        defer { for server in servers { LoadTestSupport.stop(server) } }
        for _ in 0..<3 { servers.append(try RealServer(.memcached)) }
        let targets = servers.map { LoadTarget(scheme: .memcached, host: "127.0.0.1", port: Int($0.port)) }
        let options = try ReplayTestSupport.options(for: "memcached-text") {
            $0.timing = .max
            $0.pipeline = 16
        }
        let runner = ReplayRunner(files: [ReplayTestSupport.lab("memcached-text.pcap.gz")], target: targets[0], options: options)
        runner.pool = LoadPool(nodes: targets, placement: .client(scheme: "jump"))
        let run = try await runner.run()
        let jump = try SchemeFactory.make("jump", servers: targets.map { ServerSpec(host: $0.host, port: $0.port) })
        var fromTruth = [0, 0, 0]
        for (key, count) in try ReplayTestSupport.truth("memcached-text").keys { fromTruth[jump.node(for: Key(key))] += count }
        var fromServers: [Int] = []
        for server in servers {
            let stats = try LoadTestSupport.memcachedStats(port: server.port)
            fromServers.append((Int(stats["cmd_get"] ?? "") ?? -1) + (Int(stats["cmd_set"] ?? "") ?? -1))
        }
        print("replay to a jump pool: servers \(fromServers), result \(run.load.nodes.map(\.sent)), truth placed \(fromTruth)")
        #expect(run.load.errorCount == 0)
        #expect(run.load.spanningRequests == 0)
        #expect(run.load.nodes.map(\.sent) == fromServers)
        #expect(fromTruth == fromServers)
    }
}
