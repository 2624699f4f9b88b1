import Histogram

/// One worker's figures of a run (and, merged, the run's): the measured requests' latencies,
/// counts of what happened to them, and per-second and per-node breakdowns.
struct LoadStats {
    var service = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var corrected = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var sent = 0
    var completed = 0
    var errors = 0
    var errorsByKind: [String: Int] = [:]
    var dropped = 0
    var timeouts = 0
    var connectFailures = 0
    var reconnects = 0
    var seconds: [LoadRun.Second] = []
    var intendedMeasured = 0
    /// First and last measured send (ns from the start of the schedule).
    var firstSentNanos: Int64 = .max
    var lastSentNanos: Int64 = .min
    /// Per pool node (empty for one server).
    var nodes: [LoadRun.Node] = []
}
