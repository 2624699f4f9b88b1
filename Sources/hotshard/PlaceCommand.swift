import ArgumentParser
import Foundation
import HotshardModel
import HotshardProtocols

struct PlaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Print where each key goes under a real system's placement function.",
        discussion:
            "Prints one line per key: the key (escaped), a tab, and the node — the server as named in --servers, otherwise the node's number from 0 (a partition for Kafka). Schemes: \(SchemeFactory.names.joined(separator: ", ")). `ketama` is libmemcached's point naming; `ketama-twemproxy` is twemproxy's. `bounded-loads` (alias `haproxy-bounded`) models the bounded-loads policy with HAProxy's hash-balance-factor as ε; it is not HAProxy's own ring or request hash, so a key's node may differ from the server HAProxy picks.\n"
            + ExitStatus.help([.success, .badInput])
    )

    @Option(help: "The placement scheme.")
    var scheme: SchemeName

    @Option(help: "Number of nodes (partitions for Kafka), named 0…N−1.")
    var nodes: Int?

    @Option(help: "Servers as host:port[:weight],… (the weight is used by weighted schemes).")
    var servers: String?

    @Option(help: "Vnodes: tokens per node for cassandra, ring points per weight for bounded-loads.")
    var vnodes: Int?

    @Option(help: "A CLUSTER NODES dump to read Redis Cluster slot ownership from (with --scheme redis-cluster).")
    var clusterNodes: String?

    @Option(
        help:
            "A CLUSTER SHARDS dump to read Redis Cluster slot ownership from (with --scheme redis-cluster): redis-cli's output piped to a file, copied from its terminal display, or its --json / -2 --json output."
    )
    var clusterShards: String?

    @Argument(help: "Keys to place (as given, UTF-8 bytes).")
    var keys: [String] = []

    func validate() throws {
        let given = [nodes != nil, servers != nil, clusterNodes != nil, clusterShards != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --nodes N, --servers host:port[:weight],…, --cluster-nodes FILE or --cluster-shards FILE")
        }
        if clusterNodes != nil || clusterShards != nil, scheme.name != "redis-cluster" {
            throw ValidationError("--cluster-nodes and --cluster-shards need --scheme redis-cluster")
        }
        if let nodes, !(1...100_000).contains(nodes) { throw ValidationError("--nodes must be 1…100000, got \(nodes)") }
        guard !keys.isEmpty else { throw ValidationError("give at least one KEY") }
    }

    func run() async throws {
        var stderr = StandardError()
        do {
            let placement: any PlacementScheme
            var named = servers != nil
            if let dump = clusterNodes ?? clusterShards {
                let text: String
                do {
                    text = try String(contentsOfFile: dump, encoding: .utf8)
                } catch {
                    print("hotshard place: cannot read '\(dump)': \(error.localizedDescription)", to: &stderr)
                    throw ExitStatus.badInput.exitCode
                }
                do {
                    placement = clusterNodes != nil ? try RedisClusterDump.parseClusterNodes(text) : try RedisClusterShards.parse(text)
                } catch let error as PlacementError {
                    print("hotshard place: \(dump): \(error)", to: &stderr)
                    throw ExitStatus.badInput.exitCode
                }
                named = true
            } else if let servers {
                let specs = try servers.split(separator: ",").map { try ServerSpec.parse(String($0)) }
                placement = try SchemeFactory.make(scheme.name, servers: specs, vnodes: vnodes)
            } else {
                placement = try SchemeFactory.make(scheme.name, servers: ServerSpec.numbered(nodes ?? 1), vnodes: vnodes)
            }
            var out = ""
            for text in keys {
                let key = Key(text)
                let node = placement.node(for: key)
                out += "\(key.escaped)\t\(named ? placement.nodeNames[node] : String(node))\n"
            }
            print(out, terminator: "")
        } catch let error as PlacementError {
            print("hotshard place: \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
    }
}
