import Foundation
import HotshardAnalysis
import HotshardProtocols
import NIOCore
import NIOPosix
import Synchronization

/// Runs a profile against its target with SwiftNIO: `profile.threads` event loops, each a
/// `LoadWorker` with its share of the connections and of the schedule. Open loop by default —
/// every request has an intended send time and latency is measured from it as well as from the
/// actual send — or closed loop. Stops by itself (duration or request count, then a bounded drain),
/// or on `stop()` (SIGINT), which drains in-flight requests for up to a second.
public final class LoadRunner: Sendable {
    public let profile: LoadProfile
    public let analysis: AnalysisConfiguration
    /// The workers `stop()` reaches (from the signal handler's thread), once made.
    private let control = Mutex<(workers: [LoadWorker], stopRequested: Bool)>(([], false))

    /// `--hlog`: where to write the HdrHistogram interval log of corrected and service latency; nil: none.
    public let histogramLogPath: String?

    /// Makes worker `index` of `workers` its request source (default: the profile's generator).
    let makeSource: @Sendable (_ index: Int, _ workers: Int) -> RequestSource

    public init(
        profile: LoadProfile, analysis: AnalysisConfiguration = AnalysisConfiguration(), histogramLogPath: String? = nil
    ) {
        self.profile = profile
        self.analysis = analysis
        self.histogramLogPath = histogramLogPath
        self.makeSource = { index, workers in GeneratedRequests(profile: profile, workers: workers, index: index) }
    }

    /// A run whose requests come from `makeSource` (replay) instead of the profile's generator; the
    /// profile gives the target, connections, pipeline, threads, duration, timeouts and thresholds.
    init(
        profile: LoadProfile, analysis: AnalysisConfiguration, histogramLogPath: String? = nil,
        makeSource: @escaping @Sendable (_ index: Int, _ workers: Int) -> RequestSource
    ) {
        self.profile = profile
        self.analysis = analysis
        self.histogramLogPath = histogramLogPath
        self.makeSource = makeSource
    }

    /// `onLiveState` and `liveKeyLimit`, set before `run` from whichever thread builds the run.
    private let live = Mutex<(report: (@Sendable (LoadLiveState) -> Void)?, keyLimit: Int)>((nil, 100))

    /// Called about once a second (on another thread) with the run's cumulative measurements so
    /// far, when set before `run` (`--metrics-listen`); each call costs the workers a snapshot.
    public var onLiveState: (@Sendable (LoadLiveState) -> Void)? {
        get { live.withLock { $0.report } }
        set { live.withLock { $0.report = newValue } }
    }

    /// The hottest keys of each worker a live state carries (workers see overlapping keys, so
    /// keep it a few times what is shown: a key near the cut may be missing from one worker's).
    public var liveKeyLimit: Int {
        get { live.withLock { $0.keyLimit } }
        set { live.withLock { $0.keyLimit = newValue } }
    }

    /// Runs to the end. `progress` is called about once a second (on another thread).
    public func run(progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws -> LoadRun {
        let threads = max(1, min(profile.threads, profile.connections))
        // A pool: its nodes and router (a cluster's read from its slot map now), connections per node.
        let layout = try await profile.pool?.resolve()
        let nodeCount = layout?.nodes.count ?? 1
        var routed: [RoutedRequests] = []
        let histogramLog = try histogramLogPath.map { try HistogramLogSink(path: $0, workers: threads) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let board = ProgressBoard()
        let cpuAtStart = Self.processCPUSeconds()
        let startWall = Int64(Date().timeIntervalSince1970 * 1e9)
        let start = Int64(NIODeadline.now().uptimeNanoseconds)
        // AMQP: the exchange and queues declared, the consumers consuming, before the first publish.
        var consumers: AMQPConsumerGroup?
        if let amqp = profile.amqp {
            do {
                consumers = try await Self.prepareAMQP(
                    amqp, target: profile.target, timeoutSeconds: profile.timeoutSeconds, analysis: analysis, loop: group.next())
            } catch {
                try? await group.shutdownGracefully()
                throw error
            }
        }
        var made: [LoadWorker] = []
        var loops = group.makeIterator()
        for index in 0..<threads {
            let first = profile.connections * index / threads
            let last = profile.connections * (index + 1) / threads
            guard let loop = loops.next() else { break }
            var source = makeSource(index, threads)
            var routing: RoutedRequests?
            if let layout {
                let wrapped = RoutedRequests(
                    source, router: layout.router, base: first * nodeCount, perNode: last - first,
                    firstConnection: first)
                routed.append(wrapped)
                routing = wrapped
                source = wrapped
            }
            made.append(
                LoadWorker(
                    loop: loop, profile: profile, index: index, workers: threads,
                    connections: (first * nodeCount)..<(last * nodeCount),
                    nodes: layout?.nodes, perNode: layout == nil ? nil : last - first,
                    routing: routing,
                    analysis: analysis, board: board, startWallNanos: startWall, source: source,
                    histogramLog: histogramLog))
        }
        let live = onLiveState
        let keyLimit = liveKeyLimit
        for worker in made {
            worker.postsLiveState = live != nil
            worker.liveKeyLimit = keyLimit
        }
        let alreadyStopped = control.withLock {
            $0.workers = made
            return $0.stopRequested
        }
        // `--start-at` on this machine's uptime clock (the wall clock read once, beside `start`).
        let scheduleAt = profile.startAtNanos.map { start + ($0 - startWall) }
        for worker in made {
            worker.loop.execute { worker.start(uptimeNanos: start, scheduleAt: scheduleAt) }
        }
        if alreadyStopped { stop() }
        // A cancelled sleep throws: the loop must end there, not post one more live state, which
        // would land after the caller's final one (a scraper then saw the run's last live values
        // instead of its result). `run` waits for the reporter's end before it returns.
        let reporter = Task.detached {
            while true {
                do { try await Task.sleep(nanoseconds: 1_000_000_000) } catch { return }
                if let line = board.take() { progress?(line) }
                if let live, let state = board.takeLive() { live(state) }
            }
        }
        var results: [LoadWorker.WorkerResult] = []
        do {
            for worker in made { results.append(try await worker.future.get()) }
        } catch {
            reporter.cancel()
            await reporter.value
            try? await group.shutdownGracefully()
            throw error
        }
        var deliveries: [Key: Int] = [:]
        if let consumers {
            // The queues drained: no delivery for half a second (or the timeout passed).
            let consumed = try await consumers.finish(
                idleNanos: 500_000_000, deadlineNanos: Int64(max(1, profile.timeoutSeconds) * 1e9)
            ).get()
            deliveries = consumed.deliveries
            results.append(
                LoadWorker.WorkerResult(
                    stats: LoadStats(), analysis: consumed.analysis, parserHealth: consumed.health,
                    unansweredCloses: consumed.unansweredCloses))
        }
        let cpu = Self.processCPUSeconds() - cpuAtStart
        reporter.cancel()
        await reporter.value
        try? await group.shutdownGracefully()
        let interrupted = control.withLock { $0.stopRequested }
        var run = try Self.merge(
            results, profile: profile, startWall: profile.startAtNanos ?? startWall, interrupted: interrupted)
        run.clientCPUSeconds = cpu
        run.histogramLogProblem = histogramLog?.finish()
        run.amqpConfirms = profile.amqp?.confirms
        run.amqpDeliveries = deliveries
        run.amqpUnansweredCloses = results.reduce(0) { $0 + $1.unansweredCloses }
        if let layout {
            // The nodes driven (a cluster's masters as its slot map named them).
            run.target = layout.nodes.map(\.description).joined(separator: ",")
            run.scheme = layout.schemeName
            run.spanningRequests = routed.reduce(0) { $0 + $1.spanning }
        }
        return run
    }

    /// User + system CPU seconds of this process so far (getrusage).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Stops sending; in-flight requests get up to a second, then the run returns what it measured.
    public func stop() {
        let current: [LoadWorker] = control.withLock {
            $0.stopRequested = true
            return $0.workers
        }
        for worker in current {
            worker.loop.execute { worker.stop(drainSeconds: 1) }
        }
    }

    static func merge(
        _ results: [LoadWorker.WorkerResult], profile: LoadProfile, startWall: Int64,
        interrupted: Bool
    ) throws -> LoadRun {
        var stats = LoadStats()
        var seconds: [LoadRun.Second] = []
        for result in results {
            let part = result.stats
            if stats.nodes.isEmpty {
                stats.nodes = part.nodes
            } else {
                for (index, node) in part.nodes.enumerated() where stats.nodes.indices.contains(index) {
                    stats.nodes[index].add(node)
                }
            }
            stats.service.add(part.service)
            stats.corrected.add(part.corrected)
            stats.sent += part.sent
            stats.completed += part.completed
            stats.errors += part.errors
            stats.errorsByKind.merge(part.errorsByKind, uniquingKeysWith: +)
            stats.dropped += part.dropped
            stats.timeouts += part.timeouts
            stats.connectFailures += part.connectFailures
            stats.reconnects += part.reconnects
            stats.intendedMeasured += part.intendedMeasured
            stats.firstSentNanos = min(stats.firstSentNanos, part.firstSentNanos)
            stats.lastSentNanos = max(stats.lastSentNanos, part.lastSentNanos)
            for second in part.seconds {
                while seconds.count <= second.second {
                    seconds.append(
                        LoadRun.Second(
                            second: seconds.count, measured: second.measured, sent: 0, intended: 0,
                            completed: 0, errors: 0))
                }
                seconds[second.second].sent += second.sent
                seconds[second.second].intended += second.intended
                seconds[second.second].completed += second.completed
                seconds[second.second].errors += second.errors
                seconds[second.second].measured = second.measured
            }
        }
        let analysis = results.count == 1 ? results[0].analysis : try AnalysisSnapshot.merged(results.map(\.analysis))
        // Measured time: from the end of the warm-up to the last measured second with traffic.
        let measuredSeconds: Double
        if let total = profile.durationSeconds, !interrupted {
            measuredSeconds = total
        } else {
            // Nothing analysed (interrupted before the first reply): first/last are still .max/.min.
            let totals = analysis.totals
            let spanNanos = totals.lastNanos >= totals.firstNanos ? totals.lastNanos - totals.firstNanos : 0
            measuredSeconds = max(1e-3, Double(max(0, spanNanos)) / 1e9)
        }
        var targetRate: Double?
        if profile.arrival.isOpenLoop {
            targetRate = Double(stats.intendedMeasured) / max(1e-9, measuredSeconds)
            if case .constant(let rate) = profile.arrival, profile.phases.allSatisfy({ $0.rate == nil }) {
                // A shard's share of the profile's rate: the shards' target rates add up to it.
                targetRate = rate / Double(profile.shard?.count ?? 1)
            }
        }
        var run = LoadRun(
            target: profile.target.description, wireProtocol: profile.wireProtocol.rawValue,
            arrival: Self.describe(profile.arrival), connections: profile.connections, pipeline: profile.pipeline,
            seed: profile.seed, targetRate: targetRate, startNanos: startWall, measuredSeconds: measuredSeconds,
            warmupSeconds: profile.warmupSeconds, requestsSent: stats.sent, completed: stats.completed,
            errorCount: stats.errors, errorsByKind: stats.errorsByKind, dropped: stats.dropped, timeouts: stats.timeouts,
            connectFailures: stats.connectFailures, reconnects: stats.reconnects, interrupted: interrupted,
            service: stats.service.totalCount > 0 ? stats.service : nil,
            corrected: stats.corrected.totalCount > 0 ? stats.corrected : nil,
            seconds: seconds, analysis: analysis,
            sendSpanSeconds: stats.lastSentNanos >= stats.firstSentNanos
                ? Double(stats.lastSentNanos - stats.firstSentNanos) / 1e9 : 0)
        run.nodes = stats.nodes
        run.shard = profile.shard
        run.startAtNanos = profile.startAtNanos
        return run
    }

    static func describe(_ arrival: ArrivalSpec) -> String {
        switch arrival {
        case .constant(let rate): "constant \(rate)/s"
        case .poisson(let rate): "poisson \(rate)/s"
        case .ramp(let from, let to, let seconds): "ramp \(from)→\(to)/s over \(seconds)s"
        case .steps(let steps): "steps " + steps.map { "\($0.rate)/s×\($0.seconds)s" }.joined(separator: ", ")
        case .closedLoop: "closed loop"
        }
    }
}
