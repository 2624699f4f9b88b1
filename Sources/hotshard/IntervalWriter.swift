import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardConcurrency
import HotshardProtocols
import HotshardReport
import Synchronization

/// Writes a capture agent's interval results (`analyze -i --rotate`) on a thread of its own, so
/// that a slow or full disk never stalls the capture. Each result is written atomically (a
/// temporary file, then rename) as `DIR/NAME-YYYYMMDDTHHMMSSZ.json`, named by the interval's start
/// in UTC. A write that fails is said on stderr and the interval is kept in memory and tried again
/// at the next rotation, oldest first; more than `keepUnwritten` waiting intervals drop the
/// oldest, and the next result written counts it in `capture.droppedIntervals`.
final class IntervalWriter: Sendable {
    /// One interval's result waiting to be written.
    struct Interval: Sendable {
        var start: Date
        var document: ResultDocument
    }

    /// What was written and what could not be, at the end.
    struct Outcome: Sendable {
        var written: Int
        var unwritten: Int
        var dropped: Int
    }

    let directory: String
    let name: String
    let keepUnwritten: Int
    let quiet: Bool
    /// The result of an interval from its analysis and capture counters (hot keys, model, redaction).
    private let makeDocument: @Sendable (AnalysisSnapshot, CaptureHealth, ParserHealth) -> ResultDocument
    private let queue = SerialWorker(name: "hotshard-interval-writer")
    private let state = Mutex(State())
    /// Intervals dropped so far, for the live metrics.
    let droppedTotal = Atomic<Int>(0)

    private struct State: Sendable {
        var waiting: [Interval] = []
        var droppedUnreported = 0
        /// A count, not the paths: nothing grows per interval over a run of days.
        var written = 0
    }

    init(
        directory: String, name: String, keepUnwritten: Int, quiet: Bool,
        makeDocument: @escaping @Sendable (AnalysisSnapshot, CaptureHealth, ParserHealth) -> ResultDocument
    ) {
        self.makeDocument = makeDocument
        self.directory = directory
        self.name = name
        self.keepUnwritten = max(1, keepUnwritten)
        self.quiet = quiet
    }

    /// The file an interval starting at `start` is written to.
    func path(for start: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return URL(fileURLWithPath: directory).appendingPathComponent("\(name)-\(formatter.string(from: start)).json").path
    }

    /// Takes the snapshot of an interval that started at `start` and ended with the capture and
    /// parser counters given (the interval's own), makes its result, queues it behind those still
    /// waiting and tries to write them all, oldest first. Returns at once: the work is the writer's.
    func submit(start: Date, ended: EndedAnalysis, capture: CaptureHealth, parserHealth: ParserHealth) {
        queue.submit { [self] in
            let snapshot = ended.snapshot()
            let interval = Interval(start: start, document: makeDocument(snapshot, capture, parserHealth))
            state.withLock { state in
                state.waiting.append(interval)
                while state.waiting.count > keepUnwritten {
                    let dropped = state.waiting.removeFirst()
                    state.droppedUnreported += 1
                    droppedTotal.add(1, ordering: .relaxed)
                    var stderr = StandardError()
                    print(
                        "hotshard analyze: dropped the unwritten interval \(path(for: dropped.start)) (more than "
                            + "--rotate-keep-unwritten \(keepUnwritten) waiting); the next result counts it in capture.droppedIntervals",
                        to: &stderr)
                }
            }
            writeWaiting()
        }
        queue.submit { Self.returnFreedMemory() }
    }

    /// Gives the ended interval's freed tables back to the system. glibc keeps freed blocks of
    /// its arenas (and, after the first large free, serves large tables from them): without this
    /// an agent's resident memory rose by about 3.5 MB per interval.
    private static func returnFreedMemory() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, looked up at run time: the Glibc module does not declare `<malloc.h>`.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// Waits for the queued writes, tries once more what is still waiting, and says what happened.
    func finish() -> Outcome {
        queue.close()
        writeWaiting()
        return state.withLock { Outcome(written: $0.written, unwritten: $0.waiting.count, dropped: droppedTotal.load(ordering: .relaxed)) }
    }

    /// Writes the waiting intervals oldest first; stops at the first failure (the rest wait too).
    private func writeWaiting() {
        state.withLock { state in
            while var next = state.waiting.first {
                if state.droppedUnreported > 0 {
                    next.document.capture.droppedIntervals = (next.document.capture.droppedIntervals ?? 0) + state.droppedUnreported
                }
                let path = path(for: next.start)
                var stderr = StandardError()
                do {
                    try next.document.write(toPath: path)
                } catch {
                    print(
                        "hotshard analyze: could not write \(path): \(error); the interval is kept in memory "
                            + "(\(state.waiting.count) waiting, at most \(keepUnwritten)) and written at the next rotation",
                        to: &stderr)
                    return
                }
                state.droppedUnreported = 0
                state.waiting.removeFirst()
                state.written += 1
                if !quiet {
                    print("hotshard analyze: wrote \(path) (\(next.document.totals.requests) requests)", to: &stderr)
                }
            }
        }
    }
}
