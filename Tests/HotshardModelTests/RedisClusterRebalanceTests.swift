import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// Resizing a Redis Cluster as `redis-cli --cluster add-node` and `rebalance` do, checked against a
/// real cluster of redis-server processes on loopback.
struct RedisClusterRebalanceTests {
    @Test func addingANodeTakesEachSourcesLowestSlots() {
        let three = RedisClusterScheme(nodeNames: ["a", "b", "c"])
        let four = three.addingNodes(["d"])
        // 16384 / 4 = 4096 each: a, b and c give 1365, 1366 and 1365 slots, their lowest.
        #expect(four.ranges() == [[1365...5460], [6827...10922], [12288...16383], [0...1364, 5461...6826, 10923...12287]])
        let moved = zip(three.slotOwner, four.slotOwner).filter { $0 != $1 }.count
        #expect(moved == 4096)
    }

    @Test func removingANodeGivesItsSlotsToTheOthers() {
        let four = RedisClusterScheme(nodeNames: ["a", "b", "c"]).addingNodes(["d"])
        let three = four.removingLastNodes(1)
        #expect(three.nodeNames == ["a", "b", "c"])
        let counts = three.shares().map { Int(($0 * 16384).rounded()) }
        // 16384 / 3 = 5461.33: expectations 5461 each, and the one left over goes to the first receiver.
        #expect(counts.sorted() == [5461, 5461, 5462])
        // Only d's 4096 slots move.
        #expect(zip(four.slotOwner, three.slotOwner).filter { $0.0 != $0.1 }.count == 4096)
        #expect(zip(four.slotOwner, three.slotOwner).allSatisfy { $0.0 == $0.1 || $0.0 == 3 })
    }

    @Test func balancedClusterDoesNotMove() {
        let four = RedisClusterScheme(nodeNames: ["a", "b", "c"]).addingNodes(["d"])
        #expect(RedisClusterScheme.rebalance(slotOwner: four.slotOwner, weights: [1, 1, 1, 1]) == four.slotOwner)
    }

    @Test func plannerMovesOnlyTheRebalancedSlotsKeys() throws {
        let keys = (0..<3000).map { Workload.HotKey(key: Key("user:\($0)"), rate: 1, readFraction: 1, meanBytes: 10) }
        let workload = Workload(hotKeys: keys, tailRate: 0, tailKeys: 0, durationSeconds: 1)
        var config = PlanConfiguration(capacityPerNode: 1_100, targetUtilisation: 1, schemes: ["redis-cluster"], nodeRange: 3...3)
        config.currentNodes = 3
        let plan = Planner(config).plan(workload)
        let result = try #require(plan.schemes.first)
        #expect(result.nodes == 3)
        let adding = try #require(result.moveOnAddingNode)
        let three = RedisClusterScheme(nodeNames: ServerSpec.numbered(3).map(\.description))
        let four = three.addingNodes([ServerSpec.numbered(4)[3].description])
        let expectedKeys = keys.filter { three.node(for: $0.key) != four.node(for: $0.key) }.count
        // The tail's 2,000 sample keys count too, and there is no tail rate: traffic share is the keys'.
        #expect(adding.trafficShare == Double(expectedKeys) / 3000)
    }

    @Test(
        .enabled(
            if: RealServer.isAvailable(.redis) && ExternalTool.find("redis-cli") != nil,
            "needs redis-server and redis-cli (make setup)"))
    func addNodeAndRebalanceEqualARealCluster() throws {
        let cli = try #require(ExternalTool.find("redis-cli"))
        var servers: [RealServer] = []
        defer { for server in servers { kill(server.processIdentifier, SIGKILL); server.stop() } }
        for _ in 0..<4 { servers.append(try RealServer.redisClusterNode()) }
        let addresses = servers.map { "127.0.0.1:\($0.port)" }
        let created = try ExternalTool.run(cli, ["--cluster", "create"] + addresses.prefix(3) + ["--cluster-yes"])
        try #require(created.stdout.contains("All 16384 slots covered"), "create: \(created.stdout) \(created.stderr)")
        let added = try ExternalTool.run(cli, ["--cluster", "add-node", addresses[3], addresses[0]])
        try #require(added.stdout.contains("New node added correctly"), "add-node: \(added.stdout) \(added.stderr)")
        // rebalance refuses while the nodes disagree about the configuration: wait until they agree.
        try waitForAgreement(cli: cli, ports: servers.map(\.port), masters: 4)
        let rebalanced = try ExternalTool.run(cli, ["--cluster", "rebalance", addresses[0], "--cluster-use-empty-masters"])
        try #require(rebalanced.stdout.contains("Moving"), "rebalance: \(rebalanced.stdout) \(rebalanced.stderr)")

        let model = RedisClusterScheme(nodeNames: Array(addresses.prefix(3))).addingNodes([addresses[3]])
        let real = try slotsByNode(cli: cli, port: servers[0].port)
        for (index, address) in addresses.enumerated() {
            #expect(
                real[address] == model.ranges()[index], "slots of \(address); rebalance said: \(rebalanced.stdout.suffix(600)) \(rebalanced.stderr)")
        }
        let before = RedisClusterScheme(nodeNames: Array(addresses.prefix(3)))
        let movedByModel = zip(before.slotOwner, model.slotOwner).filter { $0.0 != $0.1 }.count
        let movedByRedis = real[addresses[3]].map { $0.reduce(0) { $0 + $1.count } }
        #expect(movedByRedis == movedByModel)
    }

    /// Until every node knows every master, connected (the new node's handshake reaches the
    /// others a moment after add-node returns, and a source that does not know the destination
    /// refuses to migrate to it).
    private func waitForAgreement(cli: String, ports: [UInt16], masters: Int) throws {
        for _ in 0..<100 {
            var agreed = true
            for port in ports {
                let nodes = try ExternalTool.run(cli, ["-p", "\(port)", "CLUSTER", "NODES"]).stdout
                let connected = nodes.split(separator: "\n").filter { $0.contains("master") && $0.contains(" connected") }
                if connected.count != masters { agreed = false }
            }
            if agreed { return }
            usleep(100_000)
        }
        Issue.record("the cluster's nodes did not all learn of \(masters) masters within 10 s")
    }

    /// `CLUSTER NODES` as the cluster itself reports it, slot ranges by master address.
    private func slotsByNode(cli: String, port: UInt16) throws -> [String: [ClosedRange<Int>]] {
        let output = try ExternalTool.run(cli, ["-p", "\(port)", "CLUSTER", "NODES"]).stdout
        let scheme = try RedisClusterDump.parseClusterNodes(output)
        var result: [String: [ClosedRange<Int>]] = [:]
        for (index, name) in scheme.nodeNames.enumerated() { result[name] = scheme.ranges()[index] }
        return result
    }
}
