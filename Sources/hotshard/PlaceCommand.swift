import ArgumentParser
import Foundation
import HotshardModel
import HotshardProtocols

struct PlaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Print where each key goes under a real system's placement function.",
        discussion:
            "Prints one line per key: the key (escaped: printable ASCII as is, `\\\\` and `\\xNN` otherwise), a tab, and the node — the server as named in --servers (IPv6 hosts in brackets), otherwise the node's number from 0 (a partition for Kafka). Keys are bytes: give them as arguments, or one per line with --keys-from FILE (`-` for standard input); --escaped reads `\\xNN` and `\\\\` in either, so the output can be fed back. Schemes: \(SchemeFactory.names.joined(separator: ", ")). `ketama` is libmemcached's point naming; `ketama-twemproxy` is twemproxy's. `nginx-consistent` is nginx's `hash … consistent`, `envoy-ring-hash` and `maglev` (alias `envoy-maglev`) Envoy's balancers, `haproxy-consistent` HAProxy's `hash-type consistent` (--hash-function, --avalanche, --server-ids, --hash-balance-factor with --in-flight). `bounded-loads` is the paper's bounded-loads algorithm on Hotshard's own ring, not HAProxy's placement (its old name `haproxy-bounded` still works, with a warning). `cassandra` uses the cluster's own ring with --tokens FILE (`nodetool ring`); without it, tokens are assumed random (--vnodes per node), so the node is not the cluster's.\n"
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

    @Option(help: "Read keys from FILE, one per line (`-`: standard input); lines are bytes, not text.")
    var keysFrom: String?

    @Flag(help: "Keys (arguments and --keys-from lines) are escaped as place prints them: \\xNN is a byte, \\\\ a backslash.")
    var escaped = false

    @Option(
        help:
            "haproxy-consistent: the hash-type function, sdbm, djb2, wt6, crc32 or none. Without it, HAProxy's bare `hash-type consistent`: sdbm with the avalanche."
    )
    var hashFunction: String?

    @Flag(help: "haproxy-consistent with --hash-function: hash-type … avalanche (full_hash over the key's hash).")
    var avalanche = false

    @Option(
        help:
            "haproxy-consistent: each server's `id`, comma-separated in --servers order; leave an entry empty for HAProxy's automatic id (e.g. `3,,7`)."
    )
    var serverIds: String?

    @Option(help: "haproxy-consistent: hash-balance-factor (0: off; HAProxy takes ≥ 100).")
    var hashBalanceFactor: Int = 0

    @Option(
        help:
            "haproxy-consistent with --hash-balance-factor: requests in flight per server, comma-separated in --servers order (default: none in flight, every server eligible)."
    )
    var inFlight: String?

    @Option(
        help: "cassandra: the cluster's token list as `nodetool ring` prints it; the ring is then the cluster's own (no --nodes or --servers needed)."
    )
    var tokens: String?

    @Argument(help: "Keys to place (UTF-8 as given, or escaped with --escaped).")
    var keys: [String] = []

    func validate() throws {
        let given = [nodes != nil, servers != nil, clusterNodes != nil, clusterShards != nil, tokens != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError(
                "give exactly one of --nodes N, --servers host:port[:weight],…, --cluster-nodes FILE, --cluster-shards FILE or --tokens FILE")
        }
        if tokens != nil, scheme.name != "cassandra" { throw ValidationError("--tokens needs --scheme cassandra") }
        if let hashFunction, HAProxyConsistentScheme.HashFunction(rawValue: hashFunction) == nil {
            throw ValidationError(
                "--hash-function must be one of \(HAProxyConsistentScheme.HashFunction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if hashBalanceFactor != 0 && hashBalanceFactor < 100 {
            throw ValidationError("--hash-balance-factor must be 0 (off) or at least 100, as HAProxy takes it")
        }
        if clusterNodes != nil || clusterShards != nil, scheme.name != "redis-cluster" {
            throw ValidationError("--cluster-nodes and --cluster-shards need --scheme redis-cluster")
        }
        if let nodes, !(1...100_000).contains(nodes) { throw ValidationError("--nodes must be 1…100000, got \(nodes)") }
        guard !keys.isEmpty || keysFrom != nil else { throw ValidationError("give at least one KEY or --keys-from FILE") }
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
            } else {
                var options = SchemeOptions()
                if let hashFunction {
                    options.haproxyFunction = HAProxyConsistentScheme.HashFunction(rawValue: hashFunction) ?? .sdbm
                    options.haproxyAvalanche = avalanche
                }
                options.haproxyBalanceFactor = hashBalanceFactor
                options.haproxyServerIDs = try parsedServerIDs()
                if let tokens {
                    options.cassandraTokens = try CassandraTokenList(parsing: try readText(tokens))
                    named = true
                }
                let specs =
                    try servers.map { try $0.split(separator: ",").map { try ServerSpec.parse(String($0)) } }
                    ?? ServerSpec.numbered(nodes ?? 1)
                placement = try SchemeFactory.make(scheme.name, servers: specs, vnodes: vnodes, options: options)
            }
            if let deprecated = SchemeFactory.deprecatedNames[scheme.name] {
                print("hotshard place: \(deprecated.note)", to: &stderr)
            }
            if let cassandra = placement as? CassandraScheme, !cassandra.tokensFromCluster {
                print(
                    "hotshard place: cassandra tokens are assumed random (\(cassandra.numTokens) per node, seeded); give --tokens FILE (`nodetool ring`) for the cluster's own ring",
                    to: &stderr)
            }
            let flight = try parsedInFlight(count: placement.nodeNames.count)
            var all = try keys.map { text -> Key in
                escaped ? Key(try KeyLines.unescape(Array(text.utf8), line: 0)) : Key(text)
            }
            if let keysFrom { all += try KeyLines.parse(try readBytes(keysFrom), escaped: escaped) }
            var out = ""
            for key in all {
                var node = placement.node(for: key)
                if let flight, let haproxy = placement as? HAProxyConsistentScheme {
                    node = haproxy.node(forHash: haproxy.keyHash(key), inFlight: flight)
                }
                out += "\(key.escaped)\t\(named ? placement.nodeNames[node] : String(node))\n"
            }
            print(out, terminator: "")
        } catch let error as KeyLines.BadLine {
            print("hotshard place: \(keysFrom ?? "argument"): \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        } catch let error as PlacementError {
            print("hotshard place: \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
    }

    /// `--server-ids 3,,7`: an id per server, empty for HAProxy's automatic one.
    func parsedServerIDs() throws -> [Int?] {
        guard let serverIds else { return [] }
        return try serverIds.split(separator: ",", omittingEmptySubsequences: false).map { field in
            let text = field.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            guard let id = Int(text), id >= 1 else { throw PlacementError.badParameter("--server-ids: '\(text)' is not an id ≥ 1") }
            return id
        }
    }

    /// `--in-flight 2,0,5`: one count per server, or nil when not given.
    func parsedInFlight(count: Int) throws -> [Int]? {
        guard let inFlight else { return nil }
        let counts = try inFlight.split(separator: ",").map { field -> Int in
            guard let n = Int(field.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw PlacementError.badParameter("--in-flight: '\(field)' is not a count ≥ 0")
            }
            return n
        }
        guard counts.count == count else { throw PlacementError.badParameter("--in-flight has \(counts.count) counts for \(count) servers") }
        return counts
    }

    /// A file's bytes, or standard input's for `-`.
    func readBytes(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlacementError.badParameter("cannot read '\(path)'")
        }
        return Array(data)
    }

    func readText(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }
}
