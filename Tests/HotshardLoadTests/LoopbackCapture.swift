import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols

/// A live capture of one server port on `lo`, decoded and analysed on a thread of its own: what a
/// load or replay run really put on the wire, for tests to compare with what the run reports.
final class LoopbackCapture: @unchecked Sendable {
    let session: CaptureSession
    private let analyzer = HotKeyAnalyzer()
    private let done = DispatchSemaphore(value: 0)

    /// Starts capturing and gives the reading thread a moment to open the interface.
    static func start(
        port: UInt16, protocol wireProtocol: WireProtocol = .resp, seconds: Double,
        bufferBytes: Int32? = nil
    ) async throws -> LoopbackCapture {
        var options = CaptureOptions()
        options.filter = "tcp port \(port)"
        options.durationSeconds = seconds
        if let bufferBytes { options.bufferSizeBytes = bufferBytes }
        let capture = LoopbackCapture(session: try CaptureSession(liveInterface: "lo", options: options))
        var decoding = DecoderConfiguration()
        decoding.ports[port] = wireProtocol
        nonisolated(unsafe) let decoder = TrafficDecoder(configuration: decoding, sink: capture.analyzer)
        let thread = Thread {
            try? capture.session.run(into: decoder)
            decoder.finish(timestampNanos: 0)
            capture.done.signal()
        }
        thread.start()
        try await Task.sleep(nanoseconds: 300_000_000)
        return capture
    }

    private init(session: CaptureSession) {
        self.session = session
    }

    /// Stops once the capture has read everything (no new packet for half a second: a starved
    /// reading thread can be seconds behind) and returns the analysis.
    func finish() async throws -> AnalysisSnapshot {
        var packets = -1
        for _ in 0..<60 where packets != session.progress.packets {
            packets = session.progress.packets
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        session.stop()
        _ = done.wait(timeout: .now() + 10)
        return analyzer.snapshot()
    }
}
