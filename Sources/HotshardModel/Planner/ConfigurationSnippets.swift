/// Ready-to-paste configuration for a recommended node count, with placeholder server names
/// (node0…, to be replaced by real addresses) in each system's own syntax.
public enum ConfigurationSnippets {
    /// The twemproxy, nginx and redis-cluster snippets for `nodes` nodes, named by system.
    public static func all(nodes: Int) -> [(system: String, text: String)] {
        [("twemproxy", twemproxy(nodes: nodes)), ("nginx", nginx(nodes: nodes)), ("redis-cluster", redisCluster(nodes: nodes))]
    }

    /// A twemproxy (nutcracker) pool with libmemcached-compatible ketama.
    public static func twemproxy(nodes: Int) -> String {
        var text = """
            hotshard:
              listen: 127.0.0.1:22121
              hash: md5
              distribution: ketama
              auto_eject_hosts: false
              servers:

            """
        for i in 0..<nodes { text += "    - node\(i):11211:1\n" }
        return text
    }

    /// An nginx upstream using `hash … consistent` (ketama-compatible points).
    public static func nginx(nodes: Int) -> String {
        var text = "upstream hotshard {\n    hash $request_uri consistent;\n"
        for i in 0..<nodes { text += "    server node\(i):8080;\n" }
        return text + "}\n"
    }

    /// The slot ranges `redis-cli --cluster create` would assign, one master per line.
    public static func redisCluster(nodes: Int) -> String {
        RedisClusterScheme.createRanges(masters: nodes).enumerated().map { i, r in
            "node\(i):6379 slots \(r.lowerBound)-\(r.upperBound) (\(r.count) slots)"
        }.joined(separator: "\n") + "\n"
    }
}
