import HotshardModel
import HotshardProtocols

/// A worker's requests bound to the connections of the node their key maps to: wraps the
/// worker's source (generator or replay) and names, for each request, one of this worker's
/// connections to that node. The worker's connections are laid out node by node
/// (`base + node × perNode + j`); requests of a node take its connections in turn, and a replayed
/// request keeps its original connection's place (`j`) among them, so that its order holds.
final class RoutedRequests: RequestSource {
    private let inner: RequestSource
    private var router: NodeRouter
    /// The worker's first run-wide connection index and its connections per node.
    private let base: Int
    private let perNode: Int
    /// The first per-node connection number of this worker (replay's connection numbers count from 0).
    private let firstConnection: Int
    private var turn: [Int]
    /// Multi-key requests whose keys map to more than one node (sent to the first key's node).
    private(set) var spanning = 0

    init(_ inner: RequestSource, router: NodeRouter, base: Int, perNode: Int, firstConnection: Int) {
        self.inner = inner
        self.router = router
        self.base = base
        self.perNode = max(1, perNode)
        self.firstConnection = firstConnection
        self.turn = [Int](repeating: 0, count: router.nodeCount)
    }

    func nextIntendedNanos() -> Int64? { inner.nextIntendedNanos() }

    func take(intended: Int64) -> PreparedRequest? {
        guard var request = inner.take(intended: intended) else { return nil }
        let node = router.node(for: request.keys)
        if request.keys.count > 1, router.spansNodes(request.keys) { spanning += 1 }
        let place: Int
        if let original = request.connection {
            let offset = (original - firstConnection) % perNode
            place = offset < 0 ? offset + perNode : offset
        } else {
            place = turn[node]
            turn[node] = place + 1 == perNode ? 0 : place + 1
        }
        request.connection = base + node * perNode + place
        return request
    }

    var isExhausted: Bool { inner.isExhausted }

    func targetRate(at seconds: Double) -> Double? { inner.targetRate(at: seconds) }

    /// A `MOVED` reply: `slot` is `node`'s from now on (Redis Cluster routers only).
    func moved(slot: Int, to node: Int) {
        guard let cluster = router.scheme as? RedisClusterScheme, cluster.slotOwner.indices.contains(slot),
            cluster.nodeNames.indices.contains(node)
        else { return }
        var owner = cluster.slotOwner
        owner[slot] = node
        router = NodeRouter(scheme: RedisClusterScheme(nodeNames: cluster.nodeNames, slotOwner: owner))
    }

    /// The node a worker-local connection index serves.
    static func node(ofLocal local: Int, perNode: Int) -> Int { local / max(1, perNode) }
}
