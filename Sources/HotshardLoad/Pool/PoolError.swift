/// Why a pool cannot be driven: a bad target list, a scheme `place` does not know, or a cluster
/// whose slot map could not be read.
public enum PoolError: Error, Equatable, CustomStringConvertible {
    case needsSlotMap
    case mixedSchemes(String)
    case clusterUnreadable(String, String)
    case multiKey(String)

    public var description: String {
        switch self {
        case .needsSlotMap: "a Redis Cluster pool routes by its slot map, read when the run starts"
        case .mixedSchemes(let detail): detail
        case .clusterUnreadable(let target, let why): "could not read the slot map (CLUSTER SHARDS) of \(target): \(why)"
        case .multiKey(let operation):
            "the operation \(operation) names several keys, which may map to different nodes of a pool; hotshard load does not split requests per node (clients do), so use single-key operations against a pool"
        }
    }
}
