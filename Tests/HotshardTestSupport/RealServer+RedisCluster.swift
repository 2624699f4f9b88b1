import Foundation

extension RealServer {
    /// A cluster-enabled redis-server on loopback, ready for `redis-cli --cluster create` or
    /// `add-node`. Its bus port is a free port named explicitly: the default (port + 10,000) passes
    /// 65,535 for high ephemeral ports. A node that misses its peers for 2 s is marked failing.
    public static func redisClusterNode() throws -> RealServer {
        let directory = try Fixtures.temporaryDirectory("hotshard-redis-cluster")
        return try RealServer(
            .redis,
            extraArguments: [
                "--cluster-enabled", "yes", "--cluster-port", "\(try RealServer.freePort())",
                "--cluster-config-file", directory.appendingPathComponent("nodes.conf").path,
                "--cluster-node-timeout", "2000",
            ])
    }
}
