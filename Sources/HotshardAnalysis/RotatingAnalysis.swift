import HotshardProtocols

/// A live capture's analysis cut into intervals (`analyze -i --rotate`): messages go to the
/// current interval's `ShardedAnalysis`; `rotate()` ends it and starts a fresh one, so memory is
/// that of one interval however long the capture runs. Without rotation it is one long interval
/// that can still be looked at mid-run (`snapshotInFlight`, for live metrics). Every method is
/// called from the thread that feeds it (the capture thread).
public final class RotatingAnalysis: MessageSink {
    public let configuration: AnalysisConfiguration
    private let shards: Int
    private var current: ShardedAnalysis

    public init(configuration: AnalysisConfiguration, shards: Int) {
        self.configuration = configuration
        self.shards = shards
        current = ShardedAnalysis(configuration: configuration, shards: shards)
    }

    public func receive(_ message: Message) {
        current.receive(message)
    }

    /// Ends the current interval and hands it over (its snapshot is taken by whoever writes it);
    /// the next message starts a new interval with empty state. Costs the capture thread the
    /// shards' drain and the new interval's tables, not the snapshot.
    public func rotate() -> EndedAnalysis {
        let ended = current
        current = ShardedAnalysis(configuration: configuration, shards: shards)
        return EndedAnalysis(finishing: ended)
    }

    /// The current interval so far, without ending it (`keyLimit`: only its hottest keys).
    public func snapshotInFlight(keyLimit: Int? = nil) -> AnalysisSnapshot {
        current.snapshotInFlight(keyLimit: keyLimit)
    }

    /// Ends the last interval: what it measured.
    public func finish() -> AnalysisSnapshot {
        end().snapshot()
    }

    /// Ends the last interval and hands it over, as `rotate` does, without starting another.
    public func end() -> EndedAnalysis {
        EndedAnalysis(finishing: current)
    }
}
