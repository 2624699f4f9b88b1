/// One shard of a load run split over several processes (a Kubernetes Indexed Job's pods):
/// shard `index` of `count` sends exactly the requests index, index + count, index + 2·count, …
/// of the one sequence the unsharded run sends with the same seed — the same intended times,
/// keys, operations and values — so that `hotshard merge` of all shards' results is the result
/// of that unsharded run.
public struct LoadShard: Sendable, Equatable, CustomStringConvertible {
    /// From 0, as Kubernetes' `JOB_COMPLETION_INDEX`.
    public let index: Int
    /// How many shards share the run; at least 1.
    public let count: Int

    /// The shard; nil unless `count >= 1` and `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// `I/N` as given to `--shard`; nil when it is not two integers with 0 ≤ I < N.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// The environment variable an Indexed Job sets to the pod's index.
    public static let indexVariable = "JOB_COMPLETION_INDEX"

    /// How many of the run's first `total` requests are this shard's (a run bounded by a request count).
    public func share(ofRequests total: Int) -> Int {
        total > index ? (total - index + count - 1) / count : 0
    }

    /// Which requests of the run's one sequence worker `worker` of `workers` of this shard sends:
    /// those at `offset + k·stride`. The shard's own requests are dealt to its workers in turn.
    public func slice(worker: Int, of workers: Int) -> (offset: Int, stride: Int) {
        (index + count * worker, count * max(1, workers))
    }
}
