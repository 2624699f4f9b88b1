import Histogram
import Synchronization

/// Where workers post their last second once a second, and the runner reads one progress line:
/// a lock taken once per worker per second, never on the request path.
final class ProgressBoard: Sendable {
    private struct Entry {
        var elapsed: Double
        var measuring: Bool
        var targetRate: Double?
        var completed: Int
        var errors: Int
        var histogram: Histogram<UInt64>
        var inFlight: Int
        var backlog: Int
    }

    private let entries = Mutex<[Int: Entry]>([:])
    /// Each worker's last cumulative state, when the runner asked for them (`--metrics-listen`).
    private let live = Mutex<[Int: LoadLiveState]>([:])

    func postLive(worker: Int, _ state: LoadLiveState) {
        live.withLock { $0[worker] = state }
    }

    /// The workers' last cumulative states as one; nil before any was posted.
    func takeLive() -> LoadLiveState? {
        let states = live.withLock { $0.sorted { $0.key < $1.key }.map(\.value) }
        return LoadLiveState.merged(states)
    }

    func post(
        worker: Int, elapsed: Double, measuring: Bool, targetRate: Double?, completed: Int, errors: Int,
        histogram: Histogram<UInt64>, inFlight: Int, backlog: Int
    ) {
        entries.withLock { entries in
            entries[worker] = Entry(
                elapsed: elapsed, measuring: measuring, targetRate: targetRate, completed: completed,
                errors: errors, histogram: histogram, inFlight: inFlight, backlog: backlog)
        }
    }

    /// The latest second over all workers, and clears it; nil when nothing was posted since.
    func take() -> LoadProgress? {
        let taken: [Entry] = entries.withLock { entries in
            defer { entries.removeAll() }
            return Array(entries.values)
        }
        guard var histogram = taken.first?.histogram else { return nil }
        for entry in taken.dropFirst() { histogram.add(entry.histogram) }
        let target = taken.first?.targetRate
        return LoadProgress(
            elapsedSeconds: taken.map(\.elapsed).max() ?? 0, measuring: taken.allSatisfy(\.measuring),
            targetRate: target, actualRate: Double(taken.reduce(0) { $0 + $1.completed }),
            p50: Double(histogram.valueAtPercentile(50)), p99: Double(histogram.valueAtPercentile(99)),
            p999: Double(histogram.valueAtPercentile(99.9)), errors: taken.reduce(0) { $0 + $1.errors },
            inFlight: taken.reduce(0) { $0 + $1.inFlight }, backlog: taken.reduce(0) { $0 + $1.backlog })
    }
}
