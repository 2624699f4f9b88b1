import HotshardModel
import HotshardProtocols

/// Maps a request to the pool node that serves it: the node its first key maps to under the
/// pool's placement scheme (the same code as `hotshard place`). A request without keys goes to
/// node 0. Value type, shared by the workers (each reads it on its own loop).
public struct NodeRouter: Sendable {
    public let scheme: any PlacementScheme

    public init(scheme: any PlacementScheme) {
        self.scheme = scheme
    }

    public var nodeCount: Int { scheme.nodeNames.count }

    /// The node of the request's first key (node 0 for a keyless request).
    public func node(for keys: KeyList) -> Int {
        guard let first = keys.first else { return 0 }
        return scheme.node(for: first.key)
    }

    /// True when the keys map to more than one node (a multi-key request a client would split).
    public func spansNodes(_ keys: KeyList) -> Bool {
        guard let first = keys.first else { return false }
        let node = scheme.node(for: first.key)
        return keys.dropFirst().contains { scheme.node(for: $0.key) != node }
    }
}
