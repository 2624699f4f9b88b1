import Foundation
import HotshardCapture
import Synchronization

/// A once-a-second progress line on stderr (bytes done/total, packets/s, ETA) when stderr is a
/// terminal; silent otherwise.
final class ProgressLine: Sendable {
    /// Dispatch sources are thread-safe, but Linux's Dispatch does not mark them `Sendable`.
    nonisolated(unsafe) private let timer: DispatchSourceTimer?
    private let shown = Atomic<Bool>(false)

    init(enabled: Bool, read: @escaping @Sendable () -> CaptureProgress) {
        guard enabled, isatty(STDERR_FILENO) == 1 else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let start = Date()
        timer.schedule(deadline: .now() + 1, repeating: 1)
        self.timer = timer
        timer.setEventHandler { [weak self] in
            let progress = read()
            let elapsed = max(0.001, Date().timeIntervalSince(start))
            var line = "\r\(progress.packets) packets, \(Int(Double(progress.packets) / elapsed)) packets/s"
            if let total = progress.totalBytes, total > 0 {
                let fraction = min(1, Double(progress.bytesRead) / Double(total))
                line += String(format: ", %.1f%% of %.1f MB", fraction * 100, Double(total) / 1e6)
                if fraction > 0.01 { line += String(format: ", ETA %.0f s", elapsed / fraction - elapsed) }
            }
            FileHandle.standardError.write(Data((line + "   ").utf8))
            self?.shown.store(true, ordering: .relaxed)
        }
        timer.resume()
    }

    func stop() {
        timer?.cancel()
        if shown.exchange(false, ordering: .relaxed) {
            FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
        }
    }
}
