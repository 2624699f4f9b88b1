import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

struct RedisClusterShardsTests {
    /// Three cluster-mode redis-servers on loopback: A owns 0-5000, 5002 and 12000-16383, B owns
    /// 5001 and 5003-11999, C replicates B. Every redis-cli output format of CLUSTER SHARDS must
    /// give CLUSTER NODES' layout, and each key's node must be where the server itself sends it
    /// (A answers a GET of its own key, or MOVED with the slot and the owner's address).
    @Test(
        .enabled(
            if: RealServer.isAvailable(.redis) && ExternalTool.find("redis-cli") != nil,
            "needs redis-server and redis-cli (make setup)"))
    func shardsDumpEqualsClusterNodesAndServerRouting() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-redis-shards")
        var servers: [RealServer] = []
        // Cluster-mode redis-server may ignore SIGTERM for a while; SIGKILL so stop() returns.
        defer {
            for server in servers {
                kill(server.processIdentifier, SIGKILL)
                server.stop()
            }
        }
        var busPorts: [UInt16] = []
        for index in 0..<3 {
            // The bus port defaults to port + 10,000, past 65,535 for high ephemeral ports: name one.
            busPorts.append(try RealServer.freePort())
            servers.append(
                try RealServer(
                    .redis,
                    extraArguments: [
                        "--cluster-enabled", "yes",
                        "--cluster-port", "\(busPorts[index])",
                        "--cluster-config-file", directory.appendingPathComponent("nodes-\(index).conf").path,
                    ]))
        }
        let a = try RedisConnection(port: servers[0].port)
        let b = try RedisConnection(port: servers[1].port)
        let c = try RedisConnection(port: servers[2].port)
        for index in 1..<servers.count {
            #expect(try a.call("CLUSTER", "MEET", "127.0.0.1", "\(servers[index].port)", "\(busPorts[index])") == .simple("OK"))
        }
        #expect(try a.call("CLUSTER", "ADDSLOTSRANGE", "0", "5000", "5002", "5002", "12000", "16383") == .simple("OK"))
        #expect(try b.call("CLUSTER", "ADDSLOTSRANGE", "5001", "5001", "5003", "11999") == .simple("OK"))
        guard case .bulk(let idBytes?) = try b.call("CLUSTER", "MYID") else {
            Issue.record("CLUSTER MYID gave no id")
            return
        }
        let bID = String(decoding: idBytes, as: UTF8.self)
        try waitFor("C to replicate B") { try c.call("CLUSTER", "REPLICATE", bID) == .simple("OK") }
        try waitFor("A to see the whole cluster") {
            guard case .bulk(let info?) = try a.call("CLUSTER", "INFO"),
                case .bulk(let nodes?) = try a.call("CLUSTER", "NODES")
            else { return false }
            let text = String(decoding: nodes, as: UTF8.self)
            return String(decoding: info, as: UTF8.self).contains("cluster_state:ok")
                && text.contains("slave \(bID)") && text.contains("5003-11999") && !text.contains(" :")
        }

        let cli = try #require(ExternalTool.find("redis-cli"))
        let port = "\(servers[0].port)"
        let nodesOutput = try ExternalTool.run(cli, ["-p", port, "CLUSTER", "NODES"])
        let expected = try RedisClusterDump.parseClusterNodes(nodesOutput.stdout)
        #expect(expected.nodeNames == ["127.0.0.1:\(servers[0].port)", "127.0.0.1:\(servers[1].port)"])
        let formats: [(String, [String])] = [
            ("piped", ["CLUSTER", "SHARDS"]),
            ("display", ["--no-raw", "CLUSTER", "SHARDS"]),
            ("RESP3 display", ["-3", "--no-raw", "CLUSTER", "SHARDS"]),
            ("json", ["--json", "CLUSTER", "SHARDS"]),
            ("RESP2 json", ["-2", "--json", "CLUSTER", "SHARDS"]),
            ("quoted json", ["--quoted-json", "CLUSTER", "SHARDS"]),
        ]
        var fromShards: RedisClusterScheme?
        for (format, arguments) in formats {
            let output = try ExternalTool.run(cli, ["-p", port] + arguments)
            try #require(output.status == 0, "redis-cli \(arguments): \(output.stderr)")
            do {
                let scheme = try RedisClusterShards.parse(output.stdout)
                #expect(scheme.nodeNames == expected.nodeNames, "\(format)")
                #expect(scheme.slotOwner == expected.slotOwner, "\(format)")
                fromShards = scheme
            } catch {
                Issue.record("\(format): \(error)\n\(output.stdout.prefix(400))")
            }
        }
        let scheme = try #require(fromShards)

        // The server's own routing of 2,000 keys (hash tags included).
        let keys = (0..<2000).map { Array(($0 % 7 == 0 ? "{tag\($0 % 50)}:item\($0)" : "key:\($0)").utf8) }
        let replies = try a.pipeline(keys.map { [Array("GET".utf8), $0] })
        var mismatches = 0
        for (key, reply) in zip(keys, replies) {
            let ours = scheme.nodeNames[scheme.node(for: Key(key))]
            let theirs: String
            switch reply {
            case .bulk(nil): theirs = "127.0.0.1:\(servers[0].port)"
            case .error(let message) where message.hasPrefix("MOVED "):
                let parts = message.split(separator: " ")
                theirs = parts.count == 3 ? String(parts[2]) : message
                #expect(parts.count == 3 && Int(parts[1]) == RedisClusterScheme.slot(key))
            default: theirs = "\(reply)"
            }
            if ours != theirs {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(Key(key).escaped): ours \(ours), redis \(theirs)") }
            }
        }
        #expect(mismatches == 0)
    }

    func waitFor(_ what: String, seconds: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(100_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func plainOutputWithReplicaAndEmptyShard() throws {
        let text = """
            slots
            8001
            16383
            nodes
            id
            8b04e358deeb1d145e59ad698fe509e1eef80a2e
            port
            30782
            ip
            127.0.0.1
            endpoint
            127.0.0.1
            role
            master
            replication-offset
            14
            health
            online
            id
            9c5cfcccb1ea14ae6d2cfe1c1e9d49bef33a7ff4
            port
            30783
            ip
            127.0.0.1
            endpoint
            127.0.0.1
            role
            replica
            replication-offset
            0
            health
            loading
            slots
            0
            8000
            nodes
            id
            48467cae7f9bcf5e83f06261e272d6c6daef4997
            port
            30781
            ip

            endpoint
            127.0.0.1
            role
            master
            replication-offset
            0
            health
            online
            slots

            nodes
            id
            1111111111111111111111111111111111111111
            port
            30784
            ip
            127.0.0.1
            endpoint
            127.0.0.1
            role
            master
            replication-offset
            0
            health
            online

            """
        let scheme = try RedisClusterShards.parse(text)
        // An empty ip falls back to the endpoint; the slotless shard is left out.
        #expect(scheme.nodeNames == ["127.0.0.1:30781", "127.0.0.1:30782"])
        #expect(scheme.ranges() == [[0...8000], [8001...16383]])
    }

    @Test(arguments: [
        ("slots\n0\nnodes\nid\nx\nport\n1\nip\n1.2.3.4\nrole\nmaster\n", 2, "start/end pairs"),
        ("slots\n0\n16384\nnodes\nid\nx\nport\n1\nip\n1.2.3.4\nrole\nmaster\n", 2, "bad slot range"),
        ("slots\n0\n100\nnodes\nid\nx\nport\n1\nip\n1.2.3.4\nrole\nreplica\n", 1, "no master"),
        ("[{\"slots\":[0,16383],\n\"nodes\":[{\"id\":\"x\",\n\"port\":}]}]", 3, "JSON"),
        ("1) 1) \"slots\"\n   2) 1) (integer) 0\n      2) (integer) oops\n", 3, "bad integer"),
        ("abc 1.2.3.4:1@2 master - 0 0 1 connected 0-16383\n", 1, "CLUSTER NODES"),
        ("nodes\n", 1, "expected 'slots'"),
    ])
    func errorsNameLineAndProblem(_ text: String, _ line: Int, _ problem: String) {
        do {
            _ = try RedisClusterShards.parse(text)
            Issue.record("parsed bad input: \(text)")
        } catch let PlacementError.badClusterDump(at, why) {
            #expect(at == line, "\(why)")
            #expect(why.contains(problem), "\(why)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
