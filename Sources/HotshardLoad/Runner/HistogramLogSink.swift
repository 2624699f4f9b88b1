import Foundation
import Histogram
import HotshardAnalysis
import Synchronization

/// `--hlog PATH`: collects each worker's per-second corrected and service histograms (measured
/// requests only, recorded where the run's own histograms are) and writes the HdrHistogram
/// interval log (`HistogramLogFormat`, tags `corrected` and `service`) as the run goes: an
/// interval is written once every worker has moved past it, so memory holds only the seconds a
/// slow worker is behind. The intervals' counts add up to the result's histograms.
final class HistogramLogSink: Sendable {
    private struct State {
        var file: FileHandle
        var workersPosted: [Int]
        var pending: [Int: (corrected: Histogram<UInt64>, service: Histogram<UInt64>, endNanos: Int64)] = [:]
        var baseNanos: Int64?
        var failure: String?
    }

    let path: String
    private let state: Mutex<State>

    /// Creates (truncates) the file; throws when it cannot.
    init(path: String, workers: Int) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let file = try FileHandle(forWritingTo: url)
        state = Mutex(State(file: file, workersPosted: Array(repeating: -1, count: max(1, workers))))
    }

    /// Worker `worker`'s histograms of interval `interval` (seconds from the schedule's start,
    /// `baseNanos` the start on the wall clock), which ended at `endNanos` from the start.
    func post(
        worker: Int, interval: Int, corrected: Histogram<UInt64>, service: Histogram<UInt64>, endNanos: Int64,
        baseNanos: Int64
    ) {
        state.withLock { state in
            if state.baseNanos == nil {
                state.baseNanos = baseNanos
                write(
                    HistogramLogFormat.header(
                        baseNanos: baseNanos,
                        comment: "Hotshard latency in µs: corrected (from the intended send time) and service (from the actual send)"), to: &state)
            }
            if var entry = state.pending[interval] {
                entry.corrected.add(corrected)
                entry.service.add(service)
                entry.endNanos = max(entry.endNanos, endNanos)
                state.pending[interval] = entry
            } else {
                state.pending[interval] = (corrected, service, endNanos)
            }
            if state.workersPosted.indices.contains(worker) {
                state.workersPosted[worker] = max(state.workersPosted[worker], interval)
            }
            flush(through: state.workersPosted.min() ?? interval, state: &state)
        }
    }

    /// Writes what is left (the run is over) and closes the file; returns an error message when a write failed.
    func finish() -> String? {
        state.withLock { state in
            flush(through: Int.max, state: &state)
            try? state.file.close()
            return state.failure
        }
    }

    private func flush(through last: Int, state: inout State) {
        for interval in state.pending.keys.sorted() where interval <= last {
            guard let entry = state.pending.removeValue(forKey: interval) else { continue }
            let start = Double(interval)
            let length = max(0, Double(entry.endNanos) / 1e9 - start)
            write(
                HistogramLogFormat.line(tag: "corrected", startSeconds: start, lengthSeconds: length, histogram: entry.corrected)
                    + HistogramLogFormat.line(tag: "service", startSeconds: start, lengthSeconds: length, histogram: entry.service),
                to: &state)
        }
    }

    private func write(_ text: String, to state: inout State) {
        guard state.failure == nil else { return }
        do { try state.file.write(contentsOf: Data(text.utf8)) } catch {
            state.failure = "\(path): \(error.localizedDescription)"
        }
    }
}
