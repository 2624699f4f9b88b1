import HotshardProtocols

/// The planner's answer for one workload. Every prediction assumes Poisson arrivals and the
/// configured queue model; `assumptions` lists what else was assumed.
public struct Plan: Sendable {
    /// One node's predicted load.
    public struct NodePrediction: Sendable {
        /// The node's name (a server as given, or its index).
        public var node: String
        /// Requests per second placed on the node.
        public var rate: Double
        /// The queue model's prediction at that rate.
        public var prediction: QueuePrediction
    }

    /// The cost of changing the node count under one scheme.
    public struct MoveCost: Sendable {
        /// The node count moved from.
        public var fromNodes: Int
        /// The node count moved to.
        public var toNodes: Int
        /// Share of keys (hot keys and a tail sample, each counted once) whose node changes.
        public var keyShare: Double
        /// Share of traffic whose node changes.
        public var trafficShare: Double
    }

    /// One scheme's per-node predictions at one node count.
    public struct Layout: Sendable {
        /// The node count.
        public var nodes: Int
        /// Each node's predicted load, in node order.
        public var perNode: [NodePrediction]
        /// The busiest node's rate over the mean rate (1 is perfectly even).
        public var maxOverMean: Double
    }

    /// One scheme at its smallest sufficient node count (or the range's top when none suffices).
    public struct SchemeResult: Sendable {
        /// The placement scheme's name (`SchemeFactory.names`).
        public var scheme: String
        /// The smallest node count meeting the objectives, nil when none in the range does.
        public var nodes: Int?
        /// The node count the per-node predictions are for.
        public var evaluatedNodes: Int
        /// Each node's predicted load at `evaluatedNodes`, in node order.
        public var perNode: [NodePrediction]
        /// The busiest node's rate over the mean rate (1 is perfectly even).
        public var maxOverMean: Double
        /// Standard deviation of the nodes' rates over their mean.
        public var coefficientOfVariation: Double
        /// Index into `perNode` of the busiest node.
        public var hottestNode: Int
        /// The keys with the most traffic on the hottest node, hottest first (at most 5).
        public var hottestKeys: [Key]
        /// Whether the layout still meets the objectives with one node fewer (N − 1).
        public var survivesNodeLoss: Bool
        /// Keys and traffic that move from `PlanConfiguration.currentNodes` to `nodes`; nil when they are equal.
        public var moveCost: MoveCost?
        /// The scheme at today's node count (`PlanConfiguration.currentNodes`), when one was given.
        public var current: Layout?
        /// What moves when the recommended layout gains one node (N → N+1) or loses its last
        /// (N → N−1): the churn of scaling out or in by one.
        public var moveOnAddingNode: MoveCost?
        /// What moves when the layout loses its last node (N → N−1).
        public var moveOnRemovingNode: MoveCost?
        /// max/mean from hashing alone (uniform keys, several seeds): mean and worst over seeds.
        public var hashingSpreadMean: Double
        /// The worst max/mean over the seeds.
        public var hashingSpreadWorst: Double
        /// When no count in the range fits as the keys are (`nodes` nil): the counts that fit once
        /// more hot keys are split, fewest nodes first, then fewest keys split. Nil when none does
        /// (or for bounded loads, whose placement of a key depends on the others).
        public var remedied: RemediedFit?
        /// The fit with the fewest keys split (at the smallest count where that many suffice).
        public var remediedFewestKeys: RemediedFit?
        /// Wall-clock seconds the planner spent on this scheme (schemes are planned in parallel),
        /// for `hotshard plan --timings`; not part of the answer.
        public var plannedSeconds: Double = 0
    }

    /// A key no node count can carry within the target, and what fixes it.
    public struct HotKeyRemedy: Sendable {
        /// The key, as bytes.
        public var key: Key
        /// Its requests per second at the sizing window.
        public var rate: Double
        /// Share of its requests that are reads (0…1).
        public var readFraction: Double
        /// k = ⌈rate ÷ (target × capacity)⌉: sub-keys for writes, read replicas for reads.
        public var factor: Int
        /// Client-side cache: the hit ratio needed so the key's residual rate fits one node, and a
        /// TTL that gives it to a single cache seeing the whole key's rate (hit = rT ÷ (1 + rT)).
        public var cacheHitRatio: Double
        /// TTL in seconds for one cache seeing all the key's requests (hit = rT ÷ (1 + rT)).
        public var cacheTTLSeconds: Double
        /// The key's own utilisation of one node before and after the remedy.
        public var utilisationBefore: Double
        /// The key's utilisation of one node after the remedy.
        public var utilisationAfter: Double
        /// The key's Redis Cluster hash tag, when it has one: every key that keeps the tag lands in
        /// the same slot, so sub-keys must change the tag itself to spread.
        public var hashTag: Key?
    }

    /// A hot key split into sub-keys so that a node count fits (`RemediedFit`).
    public struct SplitKey: Sendable {
        /// The key, as bytes.
        public var key: Key
        /// Its requests per second at the sizing window.
        public var rate: Double
        /// Share of its requests that are reads (0…1).
        public var readFraction: Double
        /// Sub-keys "key#0"…"key#{subKeys−1}" (writes), or read replicas (reads): at most
        /// ⌈rate ÷ cap⌉, fewer for the hottest keys where the layout still fits.
        public var subKeys: Int
        /// The key's own utilisation of one node before and after the split.
        public var utilisationBefore: Double
        /// The key's utilisation of one node after the split.
        public var utilisationAfter: Double
    }

    /// A node count that fits one scheme only after splitting the listed keys: every key above
    /// `keyRateCap` ops/s into at most ⌈rate ÷ cap⌉ sub-keys (the hottest into fewer, larger ones
    /// where the layout still fits). Evaluated with the scheme's own placement of every sub-key.
    public struct RemediedFit: Sendable {
        /// The node count that fits after the split.
        public var nodes: Int
        /// Every key above this rate (ops/s) is split.
        public var keyRateCap: Double
        /// Hottest first.
        public var keys: [SplitKey]
        /// The busiest node's rate over the mean rate after the split.
        public var maxOverMean: Double
        /// The busiest node's utilisation after the split (0…1).
        public var busiestUtilisation: Double
    }

    /// What a self-splitting store would do.
    public struct SelfSplittingVerdict: Sendable {
        /// The store ("DynamoDB", "Bigtable", …).
        public var system: String
        /// Its split threshold, as the store documents it.
        public var threshold: String
        /// Whether the hottest partition's traffic is above the threshold.
        public var wouldTrigger: Bool
        /// False when one key alone exceeds the threshold: a split cannot divide a key.
        public var splitHelps: Bool
        /// One sentence: what the store would do with this workload.
        public var detail: String
    }

    /// The vnode (token) count that evens out hash-space shares for `scheme`.
    public struct VnodeRecommendation: Sendable {
        /// The scheme the count is for (cassandra).
        public var scheme: String
        /// Tokens per node.
        public var vnodes: Int
        /// max/mean of hash-space share with that many vnodes at the recommended node count.
        public var maxOverMean: Double
    }

    /// The queue model of the recommended layout's busiest node checked against a discrete-event
    /// simulation of that node (`--simulate`).
    public struct SimulationCheck: Sendable {
        /// The simulated node.
        public var node: String
        /// Utilisation the queue model predicts.
        public var modelUtilisation: Double
        /// Utilisation the simulation measured.
        public var simulatedUtilisation: Double
        /// p99 latency (seconds) the queue model predicts.
        public var modelP99Seconds: Double
        /// p99 latency (seconds) the simulation measured.
        public var simulatedP99Seconds: Double
        /// Requests simulated.
        public var customers: Int
    }

    /// The configuration the plan answers.
    public var configuration: PlanConfiguration
    /// Requests per second of the whole workload (hot keys and tail).
    public var totalRate: Double
    /// The queue model used (M/M/1, M/M/c or M/G/1).
    public var queueKind: QueueModel.Kind
    /// Every candidate scheme, in the order tried.
    public var schemes: [SchemeResult]
    /// The recommended scheme, nil when none fits the range.
    public var recommendedScheme: String?
    /// Its node count, nil when none fits the range.
    public var recommendedNodes: Int?
    /// Why that recommendation, in a sentence a person reads first.
    public var reason: String
    /// Keys no node count can carry within the target, with what fixes each.
    public var remedies: [HotKeyRemedy]
    /// The scheme whose `remedied` fit needs the fewest nodes (ties: fewest keys split), nil when
    /// no scheme has one. `reason` names it when it needs fewer nodes than `recommendedNodes` or
    /// no scheme fits as the keys are.
    public var remediedScheme: String?
    /// What stores that split hot partitions themselves would do.
    public var selfSplitting: [SelfSplittingVerdict]
    /// The vnode count to use where the scheme has one (cassandra), nil otherwise.
    public var vnodeRecommendation: VnodeRecommendation?
    /// Ready-to-paste configuration, by target system ("twemproxy", "nginx", "redis-cluster").
    public var configurations: [(system: String, text: String)]
    /// The simulation check, when `--simulate` asked for one.
    public var simulation: SimulationCheck?
    /// Everything the predictions assume besides Poisson arrivals and the queue model.
    public var assumptions: [String]
    /// Queues under `rabbitmq-consistent-hash`: binding weights that lighten the busiest queue
    /// (`ConsistentHashWeights`), at the recommended (or today's) queue count; nil otherwise.
    public var bindingWeights: ConsistentHashWeights.Proposal? = nil
    /// Wall-clock seconds spent hashing and ordering the keys before the schemes were planned
    /// (for `hotshard plan --timings`; not part of the answer).
    public var keyPreparationSeconds: Double = 0
}
