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

    /// Ends the current interval and returns what it measured; the next message starts a new one
    /// with empty state (the old one's threads end and its memory is released).
    public func rotate() -> AnalysisSnapshot {
        let ended = current
        current = ShardedAnalysis(configuration: configuration, shards: shards)
        ended.finish()
        return ended.snapshot()
    }

    /// The current interval so far, without ending it.
    public func snapshotInFlight() -> AnalysisSnapshot {
        current.snapshotInFlight()
    }

    /// Ends the last interval: what it measured.
    public func finish() -> AnalysisSnapshot {
        current.finish()
        return current.snapshot()
    }
}
