import HotshardAnalysis
import HotshardProtocols
import Synchronization

/// What `top`'s capture thread hands its screen: the analysis so far when the screen asks for a
/// frame (taken on the capture thread's tick, between packets, so the packet path takes no lock),
/// and at the end what the whole capture measured or why it stopped.
final class TopFrames: Sendable {
    struct Frame: Sendable {
        var analysis: AnalysisSnapshot
        var protocolHealth: ParserHealth
    }

    private let wanted = Atomic<Bool>(true)
    private let latest = Mutex<Frame?>(nil)
    private let outcome = Mutex<Result<Frame, any Error>?>(nil)

    /// Screen side: take a snapshot at the next tick.
    func request() { wanted.store(true, ordering: .relaxed) }

    /// Capture side: whether a frame is wanted (and from now on, not again until requested).
    func takeRequest() -> Bool { wanted.exchange(false, ordering: .relaxed) }

    func post(_ frame: Frame) { latest.withLock { $0 = frame } }

    /// Screen side: the newest frame since the last call.
    func takeFrame() -> Frame? { latest.withLock { $0.take() } }

    func finish(_ result: Result<Frame, any Error>) { outcome.withLock { $0 = result } }

    /// The capture's end, once its thread has returned.
    var finished: Result<Frame, any Error>? { outcome.withLock { $0 } }
}
