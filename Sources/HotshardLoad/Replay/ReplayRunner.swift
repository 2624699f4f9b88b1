import Foundation
import NIOCore
import NIOPosix
import HotshardAnalysis
import HotshardCapture
import HotshardConcurrency
import HotshardProtocols
import Synchronization

/// Replays captured requests against a target with the load runner's machinery: the same NIO
/// connections, schedule, corrected latency, reply decoding and progress. The capture is read on
/// a thread of its own and streamed to the event loop through a bounded queue of batches (memory:
/// the queue, the reorder heap, the per-flow byte buffers and the capture's analysis, all capped by
/// `ReplayOptions`; `ReplayRun.peakQueued` and friends show what was held).
public final class ReplayRunner: @unchecked Sendable {
    public let files: [String]
    public let target: LoadTarget
    public let options: ReplayOptions
    public let analysis: AnalysisConfiguration
    /// Measured seconds before the replay stops (nil: until the capture's passes are done).
    public var durationSeconds: Double?
    public var thresholds: [Threshold] = []
    public var timeoutSeconds = 5.0
    /// The replay's cumulative measurements about once a second (`LoadRunner.onLiveState`).
    public var onLiveState: (@Sendable (LoadLiveState) -> Void)?
    /// `LoadRunner.liveKeyLimit`.
    public var liveKeyLimit = 100
    /// Replays to a pool (`target` is its first node): each request goes to its first key's node.
    public var pool: LoadPool?
    /// `--hlog`: the HdrHistogram interval log of corrected and service latency; nil: none.
    public var histogramLogPath: String?
    /// What `stop()` reaches from the signal handler's thread.
    private let running = Mutex<(runner: LoadRunner?, reader: ReplayReader?, stopRequested: Bool)>((nil, nil, false))

    public init(
        files: [String], target: LoadTarget, options: ReplayOptions,
        analysis: AnalysisConfiguration = AnalysisConfiguration()
    ) {
        self.files = files
        self.target = target
        self.options = options
        self.analysis = analysis
    }

    /// The connections a replay opens by default: one per flow the decoder would parse.
    public static func countConnections(files: [String], decoder: DecoderConfiguration) throws -> Int {
        let counter = FlowCounter(configuration: decoder)
        try CaptureSession(files: files).run(into: counter)
        return counter.count
    }

    /// Fails when the target accepts no connection (a replay would otherwise wait on it forever).
    static func checkReachable(_ target: LoadTarget) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var failure: Error?
        do {
            let address = try SocketAddress(ipAddress: target.host, port: target.port)
            let channel = try await ClientBootstrap(group: group).connectTimeout(.seconds(3)).connect(to: address).get()
            try await channel.close()
        } catch {
            failure = error
        }
        try? await group.shutdownGracefully()
        if let failure { throw ReplayError.unreachable(target.description, String(describing: failure)) }
    }

    public func run(progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws -> ReplayRun {
        for node in pool?.nodes ?? [target] { try await Self.checkReachable(node) }
        let connections = try options.connections ?? max(1, Self.countConnections(files: files, decoder: options.decoder))
        guard let keyFormat = try? KeyFormat("{n}") else { throw ReplayError.internalProfile }
        var profile = LoadProfile(
            source: "replay", target: target, keyFormat: keyFormat,
            operations: [OperationSpec(kind: .get, weight: 1)])
        profile.connections = connections
        profile.pool = pool
        // AMQP: each connection opens channel 1 with publisher confirms (a publish completes with
        // its confirm); nothing is declared — the capture's exchanges and queues must exist.
        if target.scheme == .amqp { profile.amqp = AMQPSettings() }
        profile.threads = 1
        profile.durationSeconds = durationSeconds
        profile.requests = nil
        profile.timeoutSeconds = timeoutSeconds
        profile.thresholds = thresholds
        profile.maxBacklog = max(1, options.maxQueuedRequests)
        switch options.timing {
        case .original: profile.arrival = .constant(rate: 1)  // placeholder: the source gives the times
        case .rate(let rate): profile.arrival = .constant(rate: rate)
        case .max: profile.arrival = .closedLoop
        }
        profile.pipeline = max(1, options.pipeline)
        let queue = ReplayQueue(capacity: options.maxQueuedRequests)
        let reader = ReplayReader(
            files: files, options: options, target: profile.wireProtocol, connections: connections,
            queue: queue, analysis: analysis)
        let timing = options.timing
        let runner = LoadRunner(profile: profile, analysis: analysis, histogramLogPath: histogramLogPath) { _, _ in
            ReplayRequests(queue: queue, timing: timing)
        }
        runner.onLiveState = onLiveState
        runner.liveKeyLimit = liveKeyLimit
        let alreadyStopped = running.withLock {
            $0.runner = runner
            $0.reader = reader
            return $0.stopRequested
        }
        let readerThread = WorkerThread(name: "hotshard-replay-reader") { reader.run() }
        if alreadyStopped { stop() }
        while !queue.isReady { try? await Task.sleep(nanoseconds: 2_000_000) }
        var run: LoadRun
        do {
            run = try await runner.run(progress: progress)
        } catch {
            reader.stop()
            await readerThread.joined()
            throw error
        }
        reader.stop()  // a duration or an interrupt may end the run before the capture does
        await readerThread.joined()
        if let error = reader.error, reader.passes == 0 { throw error }
        run.arrival = "replay of \(files.count == 1 ? files[0] : "\(files.count) captures")"
        if case .original = timing { run.targetRate = nil }
        // Without a duration the run lasts as long as the sending did (a slow target stretches it).
        if durationSeconds == nil { run.measuredSeconds = max(run.measuredSeconds, run.sendSpanSeconds) }
        var replayed = ReplayRun(
            load: run, captureAnalysis: reader.captureAnalyzer.snapshot(), timing: timing, files: files,
            skipped: reader.skipped, requestsPerPass: reader.requestsPerPass,
            captureSpanSeconds: Double(reader.captureSpanNanos) / 1e9, passes: reader.passes,
            originalConnections: reader.originalConnections, capture: reader.health,
            problems: reader.problems + (reader.error.map { [String(describing: $0)] } ?? []) + run.problems,
            parserHealth: reader.parserHealth)
        replayed.peakQueued = queue.peakQueued
        replayed.peakReordered = reader.peakHeld
        replayed.peakHeldBytes = reader.peakHeldBytes
        return replayed
    }

    /// Stops sending (SIGINT): in-flight requests get up to a second; the result covers what was replayed.
    public func stop() {
        let (runner, reader) = running.withLock {
            $0.stopRequested = true
            return ($0.runner, $0.reader)
        }
        runner?.stop()
        reader?.stop()
    }
}

public enum ReplayError: Error, CustomStringConvertible {
    case internalProfile
    case unreachable(String, String)
    public var description: String {
        switch self {
        case .internalProfile: "internal: the replay profile could not be made"
        case .unreachable(let target, let reason): "target \(target) accepts no connection: \(reason)"
        }
    }
}
