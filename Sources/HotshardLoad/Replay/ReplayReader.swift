import DequeModule
import Foundation
import HeapModule
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Synchronization

/// Reads the capture on its own thread, once per `--loop` pass: extracts each request's bytes,
/// puts them back in the order they were sent (messages leave the parsers when answered),
/// shapes them (protocol, time range, reads only, commands, sample, key rewriting), maps each
/// original connection onto a replay connection, and hands them to the worker through the
/// bounded `ReplayQueue`. The requests of the first pass also go through a `HotKeyAnalyzer`: the
/// capture's own latency, per command and per key, for the comparison with the replay's.
///
/// Memory is bounded by `ReplayOptions`, whatever the capture's size: the extractor's flow bytes
/// (`maxBytesPerFlow`, `maxBytesTotal`), the reorder heap and the queue (`maxQueuedRequests` each;
/// `--max` needs no reordering and holds no heap), one batch being filled, and the capture
/// analyzer (`captureKeyCapacity` keys). `peakHeld` and the queue's `peakQueued` show it.
final class ReplayReader: @unchecked Sendable {
    private struct Held: Comparable {
        var nanos: Int64
        var sequence: Int
        var request: CapturedRequest
        static func < (lhs: Held, rhs: Held) -> Bool { (lhs.nanos, lhs.sequence) < (rhs.nanos, rhs.sequence) }
        static func == (lhs: Held, rhs: Held) -> Bool { lhs.nanos == rhs.nanos && lhs.sequence == rhs.sequence }
    }

    let files: [String]
    let options: ReplayOptions
    let target: WireProtocol
    let connections: Int
    let queue: ReplayQueue
    let captureAnalyzer: HotKeyAnalyzer
    /// The pass being read and whether `stop()` came (from another thread).
    private let control = Mutex<(session: CaptureSession?, stopped: Bool)>((nil, false))

    // Results, read once the thread has finished.
    private(set) var skipped: [SkipReason: Int] = [:]
    private(set) var health = CaptureHealth()
    private(set) var problems: [String] = []
    private(set) var parserHealth = ParserHealth()
    private(set) var error: Error?
    /// Requests replayed per pass (the first pass's count) and the span they cover in the capture.
    private(set) var requestsPerPass = 0
    private(set) var captureSpanNanos: Int64 = 0
    private(set) var passes = 0
    private(set) var originalConnections = 0
    /// The most request bytes the extractor held at once (first pass).
    private(set) var peakHeldBytes = 0

    // Per pass.
    private var heap = Heap<Held>()
    /// The most requests the reorder heap held at once (any pass).
    private(set) var peakHeld = 0
    private var sequence = 0
    private var batch = Deque<ReplayItem>()
    /// First-pass messages on their way to `captureAnalyzer`, which takes them in batches (it prefetches).
    private var analysisBatch: [Message] = []
    /// `--max`: requests go on as the parsers give them (each original connection's still in
    /// order); the order across connections, and so the reorder heap, only matters for the timing.
    private let reorders: Bool
    /// `batchSize`, or the queue's capacity when that is smaller (a batch never exceeds it).
    private let batchLimit: Int
    private var passFirst: Int64?
    private var passLast: Int64 = 0
    /// The earliest request of the pass (without reordering the first one need not be it).
    private var passLowest: Int64?
    private var passCount = 0
    private var passStart: Int64 = 0
    private var random: SeededGenerator
    private var cancelled = false

    init(
        files: [String], options: ReplayOptions, target: WireProtocol, connections: Int, queue: ReplayQueue,
        analysis: AnalysisConfiguration
    ) {
        self.files = files
        self.options = options
        self.target = target
        self.connections = max(1, connections)
        self.queue = queue
        var captureAnalysis = analysis
        captureAnalysis.capacity = max(1, min(analysis.capacity, options.captureKeyCapacity))
        // The replay's comparison reads the capture's commands and keys only: no prefix groups,
        // and no keys per window, are counted for it.
        captureAnalysis.prefixCapacity = 0
        captureAnalysis.topPerWindow = 0
        self.captureAnalyzer = HotKeyAnalyzer(configuration: captureAnalysis)
        if case .max = options.timing { reorders = false } else { reorders = true }
        batchLimit = max(1, min(Self.batchSize, options.maxQueuedRequests))
        batch = Deque(minimumCapacity: batchLimit)
        analysisBatch.reserveCapacity(64)
        self.random = SeededGenerator(seed: options.seed ^ 0x5eed_5a3b_1e00_0000)
    }

    /// Stops reading (from any thread).
    func stop() {
        let current: CaptureSession? = control.withLock {
            $0.stopped = true
            return $0.session
        }
        current?.stop()
        queue.cancel()
    }

    /// Runs every pass, then tells the queue it is finished. Errors are kept in `error`.
    func run() {
        defer { queue.finish() }
        var pass = 0
        while options.loops == 0 || pass < options.loops {
            if control.withLock({ $0.stopped }) || cancelled { break }
            do {
                try readPass(pass)
            } catch {
                self.error = error
                break
            }
            passes = pass + 1
            if pass == 0 {
                requestsPerPass = passCount
                if passCount == 0 { break }  // nothing to loop over
            }
            pass += 1
        }
    }

    private func readPass(_ pass: Int) throws {
        let session = try CaptureSession(files: files)
        let proceed = control.withLock {
            $0.session = session
            return !$0.stopped
        }
        guard proceed else { return }
        heap = Heap()
        passFirst = nil
        passLowest = nil
        passCount = 0
        var extractorClock: () -> Int64 = { .min }
        var captureStart: () -> Int64? = { nil }
        let extractor = RequestExtractor(
            configuration: options.decoder, maxBytesPerFlow: options.maxBytesPerFlow,
            maxBytesTotal: options.maxBytesTotal
        ) {
            [unowned self] request in
            guard reorders else { return shape(request, pass: pass, captureStart: captureStart()) }
            sequence += 1
            heap.insert(Held(nanos: request.message.timestampNanos, sequence: sequence, request: request))
            let horizon = extractorClock() - Int64(options.reorderWindowSeconds * 1e9)
            while let oldest = heap.min, oldest.nanos <= horizon || heap.count > options.maxQueuedRequests {
                heap.removeMin()
                shape(oldest.request, pass: pass, captureStart: captureStart())
            }
            peakHeld = max(peakHeld, heap.count)
        }
        extractorClock = { [unowned extractor] in extractor.clockNanos }
        captureStart = { [unowned extractor] in extractor.firstNanos }
        try session.run(into: extractor)
        extractor.finish()
        while let oldest = heap.popMin() { shape(oldest.request, pass: pass, captureStart: extractor.firstNanos) }
        flush()
        if pass == 0 {
            peakHeldBytes = extractor.peakHeldBytes
            analyseBatch()
            health = session.health
            problems = session.problems.map { String(describing: $0) }
            parserHealth = extractor.trafficDecoder?.health ?? ParserHealth()
            for (reason, count) in extractor.skipped { skipped[reason, default: 0] += count }
            if let first = passLowest ?? passFirst { captureSpanNanos = passLast - first }
        }
        // The next pass follows this one by its span and one mean gap.
        if let first = passFirst {
            let span = passLast - first
            passStart += span + (passCount > 1 ? span / Int64(passCount - 1) : 1_000_000)
        }
    }

    private func shape(_ captured: consuming CapturedRequest, pass: Int, captureStart: Int64?) {
        guard !cancelled else { return }
        let connection = captured.connection
        var bytes = captured.bytes
        var message = captured.message
        func skip(_ reason: SkipReason) {
            if pass == 0 { skipped[reason, default: 0] += 1 }
        }
        guard message.wireProtocol == target else { return skip(.otherProtocol) }
        if let start = captureStart {
            let seconds = Double(message.timestampNanos - start) / 1e9
            if let from = options.fromSeconds, seconds < from { return skip(.timeRange) }
            if let to = options.toSeconds, seconds >= to { return skip(.timeRange) }
        }
        if filters, let reason = options.keeps(command: message.command, operation: message.operation) {
            return skip(reason)
        }
        if options.sample < 1, random.nextDouble() >= options.sample { return skip(.sample) }
        if let rule = options.keyRewrite {
            guard let rewritten = KeyPrefixRewriter.rewrite(bytes, message: message, with: rule) else {
                return skip(.rewrite)
            }
            bytes = rewritten
            for index in message.keys.indices {
                message.keys[index].key = Key(rule.apply(message.keys[index].key.bytes))
            }
        }
        let first = passFirst ?? message.timestampNanos
        passFirst = first
        passLowest = min(passLowest ?? message.timestampNanos, message.timestampNanos)
        passLast = max(passLast, message.timestampNanos)
        passCount += 1
        // The keys alone: what the captured reply said about them is not this run's answer
        // (rewritten in place: a single-key list allocates nothing).
        var keys = message.keys
        for index in keys.indices where keys[index].hit != nil || keys[index].valueBytes != 0 {
            keys[index] = KeyReference(key: keys[index].key)
        }
        let request = PreparedRequest(
            bytes: bytes, command: message.command, operation: message.operation, keys: keys,
            connection: connection % connections)
        // AMQP: the publish's content (of the captured body's size) is made when it is sent.
        let bodySize = message.wireProtocol == .amqp ? message.requestBytes : nil
        batch.append(
            ReplayItem(captureNanos: passStart + max(0, message.timestampNanos - first), request: request, amqpBodySize: bodySize))
        if pass == 0 {
            // Last: the message moves into the batch instead of being copied.
            originalConnections = max(originalConnections, connection + 1)
            analysisBatch.append(message)
            if analysisBatch.count >= 64 { analyseBatch() }
        }
        if batch.count >= batchLimit { flush() }
    }

    /// Requests handed to the queue at once: one lock, and one wake-up of the worker, per batch.
    static let batchSize = 256

    /// Whether `--only-reads`, `--include` or `--exclude` is given (else no request is looked at for them).
    private var filters: Bool { options.onlyReads || !options.include.isEmpty || !options.exclude.isEmpty }

    private func analyseBatch() {
        guard !analysisBatch.isEmpty else { return }
        captureAnalyzer.receive(contentsOf: analysisBatch)
        analysisBatch.removeAll(keepingCapacity: true)
    }

    private func flush() {
        guard !batch.isEmpty, !cancelled else { return }
        if !queue.put(batch) {
            cancelled = true
            control.withLock { $0.session }?.stop()
        }
        // Not `removeAll(keepingCapacity:)`: the queue shares the storage, and Deque's would copy
        // every request first (retaining their bytes and keys) to empty a unique copy.
        batch = Deque(minimumCapacity: batchLimit)
    }
}
