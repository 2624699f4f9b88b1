/// What the planner is asked: per-node capacity, the objectives, the candidates and the layout.
public struct PlanConfiguration: Sendable {
    /// Where reads go when keys are replicated.
    public enum ReadPolicy: String, Sendable, CaseIterable {
        /// All reads to the key's primary (Redis Cluster, Kafka without follower fetching).
        case primary
        /// Reads spread evenly over all replicas (Cassandra at CL=ONE with dynamic snitch off).
        case spread
    }

    /// Requests per second one node serves at 100% utilisation.
    public var capacityPerNode: Double
    /// Nodes are message queues or partitions (`--queue-capacity`): rates are messages per second
    /// and the plan's text says queue where it would say node.
    public var queues = false
    /// "msg/s" for queues, "ops/s" for cache nodes.
    public var rateUnit: String { queues ? "msg/s" : "ops/s" }
    /// "queue" or "node", for the plan's text.
    public var nodeWord: String { queues ? "queue" : "node" }
    /// The highest utilisation any node may reach (default 0.7).
    public var targetUtilisation: Double = 0.7
    /// An optional p99 objective (seconds) every node must also meet.
    public var p99ObjectiveSeconds: Double?
    /// Scheme names (see `SchemeFactory.names`).
    public var schemes: [String] = PlanConfiguration.defaultSchemes
    /// Node counts to consider.
    public var nodeRange: ClosedRange<Int> = 1...1000
    /// The node count today, for the cost of moving (default: the range's lower bound). When
    /// given, every scheme's load at this count is predicted too (`SchemeResult.current`).
    public var currentNodes: Int?
    /// The scheme in use today, when known (it is always among the planned schemes).
    public var currentScheme: String?
    /// Copies of each key (1 = no replication). Replica j of a key sits on (primary + j) mod N.
    public var replicas: Int = 1
    /// Where reads go when keys have replicas.
    public var readPolicy: ReadPolicy = .primary
    /// Worker threads per node: 1 gives M/M/1 (or M/G/1 with a service SCV), more gives M/M/c.
    public var serverThreads: Int = 1
    /// Bounded-loads ε (HAProxy hash-balance-factor 125 ⇔ 0.25).
    public var epsilon: Double = 0.25
    /// Vnodes for the schemes that take them (nil: each scheme's default).
    public var vnodes: Int?
    /// Run the discrete-event simulation of the recommended layout's hottest node.
    public var simulate: Bool = false
    /// Parameters of schemes that take them (HAProxy's `hash-balance-factor`, hash type and ids).
    public var schemeOptions = SchemeOptions()

    /// The schemes planned when none are named: one per real system family.
    public static let defaultSchemes = [
        "ketama", "ketama-twemproxy", "redis-cluster", "kafka", "librdkafka-consistent-random", "jump",
        "rendezvous", "maglev", "envoy-ring-hash", "nginx-consistent", "bounded-loads", "cassandra", "modulo-crc32",
    ]

    /// Every planning input; see each property for its meaning and default.
    public init(
        capacityPerNode: Double, targetUtilisation: Double = 0.7, p99ObjectiveSeconds: Double? = nil,
        schemes: [String] = PlanConfiguration.defaultSchemes, nodeRange: ClosedRange<Int> = 1...1000,
        currentNodes: Int? = nil, currentScheme: String? = nil, replicas: Int = 1, readPolicy: ReadPolicy = .primary,
        serverThreads: Int = 1, epsilon: Double = 0.25, vnodes: Int? = nil, simulate: Bool = false
    ) {
        self.capacityPerNode = capacityPerNode
        self.targetUtilisation = targetUtilisation
        self.p99ObjectiveSeconds = p99ObjectiveSeconds
        self.schemes = schemes
        self.nodeRange = nodeRange
        self.currentNodes = currentNodes
        self.currentScheme = currentScheme
        if let currentScheme, !schemes.contains(currentScheme) { self.schemes.append(currentScheme) }
        self.replicas = replicas
        self.readPolicy = readPolicy
        self.serverThreads = serverThreads
        self.epsilon = epsilon
        self.vnodes = vnodes
        self.simulate = simulate
    }

    /// The highest rate one node may carry and still meet the utilisation target.
    public var rateLimitPerNode: Double { targetUtilisation * capacityPerNode }
}
