import HotshardProtocols

/// The planner's answer for one workload. Every prediction assumes Poisson arrivals and the
/// configured queue model; `assumptions` lists what else was assumed.
public struct Plan: Sendable {
    /// One node's predicted load.
    public struct NodePrediction: Sendable {
        public var node: String
        public var rate: Double
        public var prediction: QueuePrediction
    }

    /// The cost of changing the node count under one scheme.
    public struct MoveCost: Sendable {
        public var fromNodes: Int
        public var toNodes: Int
        /// Share of keys (hot keys and a tail sample, each counted once) whose node changes.
        public var keyShare: Double
        /// Share of traffic whose node changes.
        public var trafficShare: Double
    }

    /// One scheme's per-node predictions at one node count.
    public struct Layout: Sendable {
        public var nodes: Int
        public var perNode: [NodePrediction]
        public var maxOverMean: Double
    }

    /// One scheme at its smallest sufficient node count (or the range's top when none suffices).
    public struct SchemeResult: Sendable {
        public var scheme: String
        /// The smallest node count meeting the objectives, nil when none in the range does.
        public var nodes: Int?
        /// The node count the per-node predictions are for.
        public var evaluatedNodes: Int
        public var perNode: [NodePrediction]
        public var maxOverMean: Double
        public var coefficientOfVariation: Double
        public var hottestNode: Int
        /// The keys with the most traffic on the hottest node, hottest first (at most 5).
        public var hottestKeys: [Key]
        /// Whether the layout still meets the objectives with one node fewer (N − 1).
        public var survivesNodeLoss: Bool
        public var moveCost: MoveCost?
        /// The scheme at today's node count (`PlanConfiguration.currentNodes`), when one was given.
        public var current: Layout?
        /// What moves when the recommended layout gains one node (N → N+1) or loses its last
        /// (N → N−1): the churn of scaling out or in by one.
        public var moveOnAddingNode: MoveCost?
        public var moveOnRemovingNode: MoveCost?
        /// max/mean from hashing alone (uniform keys, several seeds): mean and worst over seeds.
        public var hashingSpreadMean: Double
        public var hashingSpreadWorst: Double
        /// When no count in the range fits as the keys are (`nodes` nil): the counts that fit once
        /// more hot keys are split, fewest nodes first, then fewest keys split. Nil when none does
        /// (or for bounded loads, whose placement of a key depends on the others).
        public var remedied: RemediedFit?
        public var remediedFewestKeys: RemediedFit?
        /// Wall-clock seconds the planner spent on this scheme (schemes are planned in parallel),
        /// for `hotshard plan --timings`; not part of the answer.
        public var plannedSeconds: Double = 0
    }

    /// A key no node count can carry within the target, and what fixes it.
    public struct HotKeyRemedy: Sendable {
        public var key: Key
        public var rate: Double
        public var readFraction: Double
        /// k = ⌈rate ÷ (target × capacity)⌉: sub-keys for writes, read replicas for reads.
        public var factor: Int
        /// Client-side cache: the hit ratio needed so the key's residual rate fits one node, and a
        /// TTL that gives it to a single cache seeing the whole key's rate (hit = rT ÷ (1 + rT)).
        public var cacheHitRatio: Double
        public var cacheTTLSeconds: Double
        /// The key's own utilisation of one node before and after the remedy.
        public var utilisationBefore: Double
        public var utilisationAfter: Double
        /// The key's Redis Cluster hash tag, when it has one: every key that keeps the tag lands in
        /// the same slot, so sub-keys must change the tag itself to spread.
        public var hashTag: Key?
    }

    /// A hot key split into sub-keys so that a node count fits (`RemediedFit`).
    public struct SplitKey: Sendable {
        public var key: Key
        public var rate: Double
        public var readFraction: Double
        /// Sub-keys "key#0"…"key#{subKeys−1}" (writes), or read replicas (reads): at most
        /// ⌈rate ÷ cap⌉, fewer for the hottest keys where the layout still fits.
        public var subKeys: Int
        /// The key's own utilisation of one node before and after the split.
        public var utilisationBefore: Double
        public var utilisationAfter: Double
    }

    /// A node count that fits one scheme only after splitting the listed keys: every key above
    /// `keyRateCap` ops/s into at most ⌈rate ÷ cap⌉ sub-keys (the hottest into fewer, larger ones
    /// where the layout still fits). Evaluated with the scheme's own placement of every sub-key.
    public struct RemediedFit: Sendable {
        public var nodes: Int
        public var keyRateCap: Double
        /// Hottest first.
        public var keys: [SplitKey]
        public var maxOverMean: Double
        public var busiestUtilisation: Double
    }

    /// What a self-splitting store would do.
    public struct SelfSplittingVerdict: Sendable {
        public var system: String
        public var threshold: String
        public var wouldTrigger: Bool
        /// False when one key alone exceeds the threshold: a split cannot divide a key.
        public var splitHelps: Bool
        public var detail: String
    }

    public struct VnodeRecommendation: Sendable {
        public var scheme: String
        public var vnodes: Int
        /// max/mean of hash-space share with that many vnodes at the recommended node count.
        public var maxOverMean: Double
    }

    public struct SimulationCheck: Sendable {
        public var node: String
        public var modelUtilisation: Double
        public var simulatedUtilisation: Double
        public var modelP99Seconds: Double
        public var simulatedP99Seconds: Double
        public var customers: Int
    }

    public var configuration: PlanConfiguration
    public var totalRate: Double
    public var queueKind: QueueModel.Kind
    public var schemes: [SchemeResult]
    public var recommendedScheme: String?
    public var recommendedNodes: Int?
    public var reason: String
    public var remedies: [HotKeyRemedy]
    /// The scheme whose `remedied` fit needs the fewest nodes (ties: fewest keys split), nil when
    /// no scheme has one. `reason` names it when it needs fewer nodes than `recommendedNodes` or
    /// no scheme fits as the keys are.
    public var remediedScheme: String?
    public var selfSplitting: [SelfSplittingVerdict]
    public var vnodeRecommendation: VnodeRecommendation?
    /// Ready-to-paste configuration, by target system ("twemproxy", "nginx", "redis-cluster").
    public var configurations: [(system: String, text: String)]
    public var simulation: SimulationCheck?
    public var assumptions: [String]
    /// Wall-clock seconds spent hashing and ordering the keys before the schemes were planned
    /// (for `hotshard plan --timings`; not part of the answer).
    public var keyPreparationSeconds: Double = 0
}
