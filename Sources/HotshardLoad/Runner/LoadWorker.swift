import DequeModule
import Histogram
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import NIOCore
import NIOPosix

/// One event loop's share of a load run: its connections, its part of the schedule, its
/// histograms and its analyzer. Every method runs on `loop` (hence `@unchecked Sendable`:
/// confinement, not locks); the runner merges the workers' results at the end.
final class LoadWorker: @unchecked Sendable {
    struct Scheduled {
        var request: PreparedRequest
        var intendedNanos: Int64
    }

    struct InFlight {
        var intendedNanos: Int64
        var sentNanos: Int64
        var measured: Bool
        var control: Bool
        var command: String
        var operation: OperationClass
        var keys: KeyList
        var requestBytes: Int
        /// Redis Cluster: the request's bytes, to send again after a `MOVED` or `ASK`; nil elsewhere.
        var resend: [UInt8]? = nil
        /// Redirections the request has followed so far (a cluster in flux may send it around).
        var hops: UInt8 = 0
    }

    final class Slot {
        enum State { case down, connecting, up }
        let index: Int
        /// The pool node this connection goes to (0 for one server).
        let node: Int
        var state = State.down
        var channel: Channel?
        var inflight = Deque<InFlight>()
        /// Requests bound to this connection (replay), due and waiting for room in the pipeline.
        var waiting = Deque<Scheduled>()
        var decoder: ReplyDecoder
        var outgoing: ByteBuffer?
        var backoffNanos: Int64 = 10_000_000
        var reconnectAtNanos: Int64 = 0
        var closeReason: String?
        var flow: FlowID
        /// Redis Cluster: reply bytes read but not yet consumed by a decoded reply, so that a
        /// `MOVED`/`ASK` reply's text (slot and address) can be read; empty elsewhere.
        var replyCarry: [UInt8] = []
        init(index: Int, node: Int, decoder: ReplyDecoder, flow: FlowID) {
            self.index = index
            self.node = node
            self.decoder = decoder
            self.flow = flow
        }
    }

    struct WorkerResult {
        var stats: Stats
        var analysis: AnalysisSnapshot
        var parserHealth: ParserHealth
    }

    struct Stats {
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

    let loop: EventLoop
    let profile: LoadProfile
    let index: Int
    private let slotRange: Range<Int>
    /// The servers (one, or a pool's nodes) and this worker's connections to each.
    private let nodes: [LoadTarget]
    private let perNode: Int
    /// True when driving a pool: per-node figures are kept.
    private let pooled: Bool
    /// A Redis Cluster pool: `MOVED` and `ASK` replies are followed (see `followRedirect`).
    private let clusterRouting: Bool
    /// The pool's request router (its slot map is updated on `MOVED`); nil for one server.
    private let routing: RoutedRequests?
    private var slots: [Slot] = []
    private let source: RequestSource
    private let analyzer: HotKeyAnalyzer
    private let board: ProgressBoard
    /// Posts its cumulative histograms and analysis with every progress post (`--metrics-listen`).
    /// Set before `start`.
    var postsLiveState = false
    /// The hottest keys each live state carries (`LoadRunner.liveKeyLimit`).
    var liveKeyLimit = 100
    private var stats = Stats()
    private var interval = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
    private var intervalCompleted = 0
    private var intervalErrors = 0
    private var backlog = Deque<Scheduled>()
    /// Requests waiting in the slots' own queues (sum of `waiting` counts).
    private var waitingCount = 0
    private var generated = 0
    private var generating = true
    private var drainDeadline: Int64?
    private var finished = false
    private var task: RepeatedTask?
    private var roundRobin = 0
    private var startUptime: Int64 = 0
    /// `--start-at` as uptime ns; nil: the schedule starts once the connections are tried.
    private var scheduleAtUptime: Int64?
    /// True while the connections are open and the schedule waits for `scheduleAtUptime`.
    private var waitingForStart = false
    private var startWall: Int64
    private var pendingConnects = 0
    private var lastProgressSecond = 0
    /// `--hlog`: where this second's measured latencies go, and the histograms they gather in.
    private let histogramLog: HistogramLogSink?
    private var logCorrected: Histogram<UInt64>?
    private var logService: Histogram<UInt64>?
    private let warmupNanos: Int64
    private let endNanos: Int64?
    private let requestLimit: Int?
    private let timeoutNanos: Int64
    private let closedLoop: Bool
    private let promise: EventLoopPromise<WorkerResult>
    /// HTTP keys as the parser names them: the request path, with its query when the key is in it.
    private var httpKey: HTTPKeyMode { profile.httpPath.contains("?") ? .pathWithQuery : .path }
    private var lastTimeoutCheck: Int64 = 0
    /// Sum of the slots' `inflight` counts, kept so that a top-up does not walk every connection.
    private var inFlightTotal = 0
    /// Connections in state `up`: with `inFlightTotal`, the room left on all of them together.
    private var upCount = 0
    /// Slots with bytes written since their last flush, each once.
    private var unflushed: [Int] = []
    /// Finished messages not yet given to the analyzer: it takes them in batches (it prefetches).
    private var analysisBatch: [Message] = []
    /// Scratch for `dispatch`: slots that have room, in round-robin order.
    private var openSlots: [Int] = []
    /// Scratch for `writeDirectly`: how many requests each of `openSlots` gets.
    private var shares: [Int] = []

    /// `connections`: this worker's run-wide connection indices; with a pool, `nodes.count × perNode`
    /// of them, node by node (`perNode` connections to each node).
    init(
        loop: EventLoop, profile: LoadProfile, index: Int, workers: Int, connections: Range<Int>,
        nodes: [LoadTarget]? = nil, perNode: Int? = nil, routing: RoutedRequests? = nil,
        analysis: AnalysisConfiguration, board: ProgressBoard, startWallNanos: Int64, source: RequestSource,
        histogramLog: HistogramLogSink? = nil
    ) {
        self.histogramLog = histogramLog
        if histogramLog != nil {
            logCorrected = Histogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            logService = logCorrected
        }
        self.loop = loop
        self.profile = profile
        self.index = index
        self.slotRange = connections
        self.nodes = nodes ?? [profile.target]
        self.perNode = max(1, perNode ?? connections.count)
        self.pooled = nodes != nil
        self.routing = routing
        self.clusterRouting = routing != nil && profile.pool?.placement == .redisCluster
        self.source = source
        self.analyzer = HotKeyAnalyzer(configuration: analysis)
        self.board = board
        self.startWall = startWallNanos
        self.warmupNanos = Int64(profile.warmupSeconds * 1e9)
        self.endNanos = profile.totalSeconds.map { Int64($0 * 1e9) }
        if let requests = profile.requests {
            // Split the request budget among the workers; the warm-up comes on top.
            let share = requests / workers + (index < requests % workers ? 1 : 0)
            self.requestLimit = share
        } else {
            self.requestLimit = nil
        }
        self.timeoutNanos = Int64(profile.timeoutSeconds * 1e9)
        self.closedLoop = !profile.arrival.isOpenLoop
        self.promise = loop.makePromise(of: WorkerResult.self)
        if let nodes { stats.nodes = nodes.map { LoadRun.Node(name: "\($0.host):\($0.port)") } }
    }

    var future: EventLoopFuture<WorkerResult> { promise.futureResult }

    // MARK: Clock

    private func now() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) - startUptime }
    private func wall(_ offset: Int64) -> Int64 { startWall + offset }

    // MARK: Start and stop

    /// Starts connecting; `scheduleAt` (uptime ns) is when the schedule starts (`--start-at`, the
    /// same wall-clock instant for every shard), nil: once every connection has been tried.
    func start(uptimeNanos: Int64, scheduleAt: Int64? = nil) {
        loop.assertInEventLoop()
        startUptime = uptimeNanos
        scheduleAtUptime = scheduleAt
        for index in slotRange {
            let node = min(nodes.count - 1, (index - slotRange.lowerBound) / perNode)
            let flow = FlowID(
                client: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: 1 + index)),
                server: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: nodes[node].port)),
                transport: .tcp)
            slots.append(
                Slot(
                    index: index, node: node,
                    decoder: ReplyDecoder(wireProtocol: profile.wireProtocol, flow: flow, httpKey: httpKey), flow: flow))
        }
        pendingConnects = slots.count
        for slot in slots { connect(slot) }
    }

    /// The schedule starts once every connection has been tried (as wrk2 does): connection set-up
    /// is not load, and must not show as the first requests' latency.
    private func beginSchedule() {
        guard task == nil, !finished, !waitingForStart else { return }
        var elapsed = now()
        if let scheduleAtUptime {
            // A shared start: wait for it with the connections open; when they opened late, the
            // schedule still counts from it (the late requests' corrected latency shows the delay).
            let wait = scheduleAtUptime - startUptime - elapsed
            if wait > 0 {
                waitingForStart = true
                loop.scheduleTask(in: .nanoseconds(wait)) { [self] in
                    waitingForStart = false
                    beginSchedule()
                }
                return
            }
            elapsed = scheduleAtUptime - startUptime
        }
        startUptime += elapsed
        startWall += elapsed
        for slot in slots {
            slot.reconnectAtNanos -= elapsed
            for index in slot.inflight.indices {
                slot.inflight[index].intendedNanos -= elapsed
                slot.inflight[index].sentNanos -= elapsed
            }
        }
        task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .microseconds(250)) { [self] _ in
            tick()
        }
        if closedLoop { topUp() }
    }

    /// Stops sending (SIGINT): in-flight requests get `drainSeconds` to finish.
    func stop(drainSeconds: Double) {
        loop.assertInEventLoop()
        guard !finished else { return }
        if generating {
            generating = false
            drainDeadline = now() + Int64(drainSeconds * 1e9)
        }
        // Requests not yet sent will not be: they are dropped, not errors of the server.
        stats.dropped += backlog.filter { $0.intendedNanos >= warmupNanos }.count
        backlog.removeAll()
        for slot in slots {
            stats.dropped += slot.waiting.filter { $0.intendedNanos >= warmupNanos }.count
            slot.waiting.removeAll()
        }
        waitingCount = 0
    }

    // MARK: Connections

    private func connect(_ slot: Slot) {
        guard !finished else { return }
        slot.state = .connecting
        let worker = self
        let slotIndex = slot.index - slotRange.lowerBound
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: nodes[slot.node].host, port: nodes[slot.node].port)
        } catch {
            connected(slotIndex, .failure(error))
            return
        }
        if let amqp = profile.amqp {
            // AMQP: the connection is up once the handshake (and confirm.select) is answered.
            AMQPHandshakeHandler.connect(
                loop: loop, address: address, settings: amqp, steps: amqp.publisherSteps, timeoutNanos: timeoutNanos,
                makeNext: { LoadConnectionHandler(worker: worker, slot: slotIndex) }
            ).whenComplete { result in
                worker.connected(slotIndex, result.map { $0.0 }, transcript: try? result.get().1)
            }
            return
        }
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // A server that stopped accepting is given up on as soon as a request would be.
            .connectTimeout(.nanoseconds(timeoutNanos))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LoadConnectionHandler(worker: worker, slot: slotIndex))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                worker.connected(slotIndex, result)
            }
    }

    /// `transcript`: an AMQP connection's handshake, fed to its decoder (its confirm mode).
    private func connected(_ slotIndex: Int, _ result: Result<Channel, Error>, transcript: AMQPHandshakeHandler.Transcript? = nil) {
        let slot = slots[slotIndex]
        defer {
            if task == nil {
                pendingConnects -= 1
                if pendingConnects <= 0 { beginSchedule() }
            }
        }
        switch result {
        case .success(let channel):
            if finished {
                channel.close(promise: nil)
                return
            }
            slot.channel = channel
            slot.state = .up
            upCount += 1
            slot.backoffNanos = 10_000_000
            slot.closeReason = nil
            let localPort = UInt16(truncatingIfNeeded: channel.localAddress?.port ?? 0)
            slot.flow.client = Endpoint(ipv4: 0x7f00_0001, port: localPort)
            slot.decoder = ReplyDecoder(wireProtocol: profile.wireProtocol, flow: slot.flow, httpKey: httpKey)
            slot.outgoing = channel.allocator.buffer(capacity: 4_096)
            slot.replyCarry.removeAll()
            if let transcript {
                let wallTime = wall(now())
                transcript.sent.withUnsafeBytes { slot.decoder.sent($0, atNanos: wallTime) }
                transcript.received.withUnsafeBytes { _ = slot.decoder.received($0, atNanos: wallTime) { _ in } }
            }
            if profile.wireProtocol == .resp, profile.respVersion == 3 {
                sendControl(EncodedHello.bytes, on: slot)
            }
            if task != nil {
                if closedLoop { topUp() } else { dispatch() }
            }
            flushAll()
        case .failure:
            slot.state = .down
            stats.connectFailures += 1
            scheduleReconnect(slot)
        }
    }

    private func scheduleReconnect(_ slot: Slot) {
        guard !finished, generating || hasQueued else { return }
        slot.reconnectAtNanos = now() + slot.backoffNanos
        slot.backoffNanos = min(1_000_000_000, slot.backoffNanos * 2)
    }

    /// The channel closed (server gone, timeout, reset): its in-flight requests failed.
    func closed(_ slotIndex: Int) {
        let slot = slots[slotIndex]
        guard slot.state == .up else { return }
        slot.state = .down
        upCount -= 1
        slot.channel = nil
        slot.outgoing = nil
        let kind = slot.closeReason ?? "connection-closed"
        let time = now()
        inFlightTotal -= slot.inflight.count
        while let request = slot.inflight.popFirst() {
            if !request.control { fail(request, kind: kind, at: time, flow: slot.flow, node: slot.node) }
        }
        stats.reconnects += 1
        scheduleReconnect(slot)
        if finished { return }
        checkFinished(time)
    }

    /// A request that got no reply: counted as an error of `kind`, and analysed as such.
    private func fail(_ request: InFlight, kind: String, at time: Int64, flow: FlowID, node: Int) {
        intervalErrors += 1
        guard request.measured else { return }
        if pooled { stats.nodes[node].errors += 1 }
        stats.errors += 1
        stats.errorsByKind[kind, default: 0] += 1
        if kind == "timeout" { stats.timeouts += 1 }
        addSecond(time) { $0.errors += 1 }
        analyse(
            Message(
                timestampNanos: wall(request.intendedNanos), flow: flow, wireProtocol: profile.wireProtocol,
                command: request.command, operation: request.operation,
                keys: request.keys, requestBytes: request.requestBytes, status: .error(kind: ErrorKind(kind))))
    }

    // MARK: Replies

    func received(_ slotIndex: Int, _ buffer: ByteBuffer) {
        let slot = slots[slotIndex]
        guard slot.state == .up else { return }
        let time = now()
        let wallTime = wall(time)
        var tally = ReplyTally()
        take(slot, into: &tally)
        if clusterRouting { buffer.withUnsafeReadableBytes { slot.replyCarry.append(contentsOf: $0) } }
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            slot.decoder.received(bytes, atNanos: wallTime) { message in
                complete(message, at: time, tally: &tally)
            }
        }
        add(&tally, to: slot, at: time)
        if clusterRouting { followRedirects(&tally, from: slot, at: time) }
        if !parsed {
            slot.closeReason = "malformed-reply"
            slot.channel?.close(promise: nil)
            return
        }
        if closedLoop {
            topUp(answered: slotIndex)
        } else if hasQueued {
            dispatch()
            flushAll()
        }
        checkFinished(time)
    }

    /// What the replies of one piece of bytes (all read at one time) add to the run's figures,
    /// added once for the piece. Latencies come in runs of equal values (a connection's requests
    /// went out in one write and are answered in one read): each run is recorded at once, with its count.
    private struct ReplyTally {
        /// The connection's in-flight requests and the analysis batch, held here while the piece is
        /// decoded (reached as locals, not as the worker's and the slot's fields, once per reply).
        var inflight = Deque<InFlight>()
        var batch: [Message] = []
        /// `wall(0)`: the schedule's start in wall-clock ns.
        var startWall: Int64 = 0
        /// In-flight entries answered (control ones included).
        var answered = 0
        /// Measured requests completed, and those of them that failed.
        var completed = 0
        var errors = 0
        /// All requests with a reply, and those that failed (for progress).
        var intervalCompleted = 0
        var intervalErrors = 0
        /// The current run of equal latencies (µs): its length among all replies and among measured ones.
        var serviceMicros: UInt64 = 0
        var correctedMicros: UInt64 = 0
        var run = 0
        var measuredRun = 0
        /// The pool node of the connection the piece came from.
        var node = 0
        /// Redis Cluster: reply bytes the decoded replies took so far (offset into the slot's
        /// `replyCarry`), and the redirected requests with where their reply lies there.
        var consumed = 0
        var redirects: [(request: InFlight, start: Int, length: Int)] = []
    }

    private func take(_ slot: Slot, into tally: inout ReplyTally) {
        swap(&tally.inflight, &slot.inflight)
        swap(&tally.batch, &analysisBatch)
        tally.startWall = startWall
        tally.node = slot.node
    }

    /// Puts back what `take` lent and adds the tally to the run's figures.
    private func add(_ tally: inout ReplyTally, to slot: Slot, at time: Int64) {
        swap(&tally.inflight, &slot.inflight)
        swap(&tally.batch, &analysisBatch)
        guard tally.answered > 0 else { return }
        inFlightTotal -= tally.answered
        recordRun(tally)
        intervalCompleted += tally.intervalCompleted
        intervalErrors += tally.intervalErrors
        guard tally.completed > 0 else { return }
        if pooled {
            stats.nodes[tally.node].completed += tally.completed
            stats.nodes[tally.node].errors += tally.errors
        }
        stats.completed += tally.completed
        stats.errors += tally.errors
        addSecond(time) {
            $0.completed += tally.completed
            $0.errors += tally.errors
        }
    }

    private func recordRun(_ tally: ReplyTally) {
        guard tally.run > 0 else { return }
        _ = interval.record(tally.correctedMicros, count: UInt64(tally.run))
        guard tally.measuredRun > 0 else { return }
        _ = stats.service.record(tally.serviceMicros, count: UInt64(tally.measuredRun))
        if pooled { _ = stats.nodes[tally.node].service.record(tally.serviceMicros, count: UInt64(tally.measuredRun)) }
        _ = stats.corrected.record(tally.correctedMicros, count: UInt64(tally.measuredRun))
        if histogramLog != nil {
            _ = logCorrected?.record(tally.correctedMicros, count: UInt64(tally.measuredRun))
            _ = logService?.record(tally.serviceMicros, count: UInt64(tally.measuredRun))
        }
    }

    /// Hands this worker's histograms of interval `lastProgressSecond` (ending at `end`) to the
    /// `--hlog` sink; nothing for intervals wholly inside the warm-up.
    private func postLog(end: Int64) {
        guard let histogramLog, var corrected = logCorrected, var service = logService else { return }
        guard Int64(lastProgressSecond + 1) * 1_000_000_000 > warmupNanos else { return }
        histogramLog.post(
            worker: index, interval: lastProgressSecond, corrected: corrected, service: service, endNanos: end,
            baseNanos: startWall)
        corrected.reset()
        service.reset()
        logCorrected = corrected
        logService = service
    }

    private func complete(_ message: Message, at time: Int64, tally: inout ReplyTally) {
        guard let request = tally.inflight.popFirst() else { return }
        tally.answered += 1
        let replyStart = tally.consumed
        tally.consumed += message.replyBytes
        if request.control { return }
        if clusterRouting, request.resend != nil, case .error(let kind) = message.status, kind == Self.moved || kind == Self.ask {
            // Not an answer: the request goes again to the node the reply names (after this piece).
            if request.measured { stats.nodes[tally.node].redirections += 1 }
            tally.redirects.append((request, replyStart, message.replyBytes))
            return
        }
        if case .noReply = message.status {
            // Answered by silence: sent and done, with no latency to measure.
            guard request.measured else { return }
            tally.completed += 1
            analyse(message, intendedNanos: request.intendedNanos, latencyNanos: message.latencyNanos, tally: &tally)
            return
        }
        let service = max(0, time - request.sentNanos)
        let corrected = max(0, time - request.intendedNanos)
        let serviceMicros = UInt64(service / 1_000)
        let correctedMicros = UInt64(corrected / 1_000)
        if tally.run == 0 || serviceMicros != tally.serviceMicros || correctedMicros != tally.correctedMicros {
            recordRun(tally)
            tally.serviceMicros = serviceMicros
            tally.correctedMicros = correctedMicros
            tally.run = 0
            tally.measuredRun = 0
        }
        tally.run += 1
        tally.intervalCompleted += 1
        var isError = false
        if case .error(let kind) = message.status {
            isError = true
            tally.intervalErrors += 1
            if request.measured { stats.errorsByKind[kind.description, default: 0] += 1 }
        }
        guard request.measured else { return }
        tally.measuredRun += 1
        tally.completed += 1
        if isError { tally.errors += 1 }
        analyse(message, intendedNanos: request.intendedNanos, latencyNanos: service, tally: &tally)
    }

    /// Gives `message` to the analyzer, in order, 64 at a time (and the rest before the snapshot),
    /// stamped with its intended send time and its latency.
    private func analyse(_ message: Message, intendedNanos: Int64, latencyNanos: Int64?, tally: inout ReplyTally) {
        tally.batch.append(message)
        let last = tally.batch.count - 1
        tally.batch[last].timestampNanos = tally.startWall + intendedNanos
        tally.batch[last].latencyNanos = latencyNanos
        if tally.batch.count >= 64 {
            analyzer.receive(contentsOf: tally.batch)
            tally.batch.removeAll(keepingCapacity: true)
        }
    }

    /// A message made here (a request that failed), given to the analyzer as it is.
    private func analyse(_ message: Message) {
        analysisBatch.append(message)
        if analysisBatch.count >= 64 { drainAnalysis() }
    }

    private func drainAnalysis() {
        guard !analysisBatch.isEmpty else { return }
        analyzer.receive(contentsOf: analysisBatch)
        analysisBatch.removeAll(keepingCapacity: true)
    }

    // MARK: Sending

    private func tick() {
        guard !finished else { return }
        let time = now()
        if generating, !closedLoop {
            while let intended = source.nextIntendedNanos(), intended <= time {
                if let endNanos, intended >= endNanos { stopGenerating(time); break }
                if let requestLimit, generated - warmupCount >= requestLimit, intended >= warmupNanos {
                    stopGenerating(time)
                    break
                }
                guard let request = source.take(intended: intended) else { break }
                generated += 1
                if intended < warmupNanos { warmupCount += 1 } else { stats.intendedMeasured += 1 }
                addSecond(intended) { $0.intended += 1 }
                enqueue(Scheduled(request: request, intendedNanos: intended))
            }
            if source.isExhausted { stopGenerating(time) }
            dispatch()
            flushAll()
        } else if generating, closedLoop {
            if let endNanos, time >= endNanos { stopGenerating(time) } else { topUp() }
        } else if hasQueued {
            dispatch()
            flushAll()
        }
        for slot in slots where slot.state == .down && slot.reconnectAtNanos <= time && (generating || hasQueued) {
            connect(slot)
        }
        if time - lastTimeoutCheck > 10_000_000 {
            lastTimeoutCheck = time
            // Requests that waited `timeout` for a connection (server gone) are given up, as a client would.
            func giveUp(_ first: Scheduled) {
                intervalErrors += 1
                if first.intendedNanos >= warmupNanos {
                    stats.timeouts += 1
                    stats.errors += 1
                    stats.errorsByKind["timeout-waiting", default: 0] += 1
                    addSecond(time) { $0.errors += 1 }
                }
            }
            while let first = backlog.first, time - first.intendedNanos > timeoutNanos {
                backlog.removeFirst()
                giveUp(first)
            }
            for slot in slots {
                while let first = slot.waiting.first, time - first.intendedNanos > timeoutNanos {
                    slot.waiting.removeFirst()
                    waitingCount -= 1
                    giveUp(first)
                }
            }
            for slot in slots where slot.state == .up {
                if let first = slot.inflight.first, time - first.sentNanos > timeoutNanos {
                    slot.closeReason = "timeout"
                    slot.channel?.close(promise: nil)
                }
            }
        }
        let second = Int(time / 1_000_000_000)
        if second > lastProgressSecond {
            postLog(end: Int64(second) * 1_000_000_000)
            lastProgressSecond = second
            postProgress(time)
        }
        checkFinished(time)
    }

    private var warmupCount = 0

    private func stopGenerating(_ time: Int64) {
        guard generating else { return }
        generating = false
        drainDeadline = time + max(timeoutNanos, 1_000_000_000)
    }

    /// Requests due and not yet sent.
    private var hasQueued: Bool { !backlog.isEmpty || waitingCount > 0 }

    /// Queues a due request: on its own connection's queue when it names one, else on the shared backlog.
    /// Beyond `maxBacklog` queued requests the oldest is dropped and counted.
    private func enqueue(_ scheduled: Scheduled) {
        if backlog.count + waitingCount >= profile.maxBacklog {
            var dropped = backlog.popFirst()
            if dropped == nil, let fullest = slots.max(by: { $0.waiting.count < $1.waiting.count }) {
                dropped = fullest.waiting.popFirst()
                if dropped != nil { waitingCount -= 1 }
            }
            if let dropped, dropped.intendedNanos >= warmupNanos {
                stats.dropped += 1
                stats.errors += 1
                stats.errorsByKind["dropped", default: 0] += 1
            }
        }
        if let connection = scheduled.request.connection {
            let local = connection - slotRange.lowerBound
            guard slots.indices.contains(local) else { return }
            slots[local].waiting.append(scheduled)
            waitingCount += 1
        } else {
            backlog.append(scheduled)
        }
    }

    private func dispatch() {
        guard waitingCount > 0 || !backlog.isEmpty else { return }
        // One clock reading for the whole batch: the requests go out in the same write.
        let time = now()
        if waitingCount > 0 {
            for slot in slots where slot.state == .up {
                while slot.inflight.count < profile.pipeline, let next = slot.waiting.popFirst() {
                    waitingCount -= 1
                    send(next.request, intended: next.intendedNanos, on: slot, at: time)
                }
            }
        }
        guard !backlog.isEmpty else { return }
        // One request per connection with room, in turn (round robin, skipping full ones): the
        // connections with room are listed once, not searched for once per request.
        let count = slots.count
        openSlots.removeAll(keepingCapacity: true)
        for step in 0..<count {
            let index = (roundRobin &+ step) % count
            if slots[index].state == .up, slots[index].inflight.count < profile.pipeline { openSlots.append(index) }
        }
        var position = 0
        while !openSlots.isEmpty, let next = backlog.popFirst() {
            if position >= openSlots.count { position = 0 }
            let index = openSlots[position]
            let slot = slots[index]
            send(next.request, intended: next.intendedNanos, on: slot, at: time)
            roundRobin = index &+ 1
            if slot.inflight.count >= profile.pipeline { openSlots.remove(at: position) } else { position += 1 }
        }
    }

    /// Closed loop: keep `pipeline` requests in flight on every open connection. Requests bound to
    /// a connection may wait for it; at most `connections × pipeline` are in flight or waiting.
    /// `answered`: the connection whose replies were just read, when there is one (usually the only
    /// one with room).
    private func topUp(answered: Int? = nil) {
        if generating {
            let time = now()
            let window = slots.count * profile.pipeline
            var open = window - backlog.count - waitingCount - inFlightTotal
            if open > 0, !hasQueued, source.sendsOnAnyConnection {
                open -= writeDirectly(open, at: time, answered: answered)
            }
            let anyUp = slots.contains { $0.state == .up }
            while generating, anyUp, open > 0 {
                if let requestLimit, generated - warmupCount >= requestLimit, time >= warmupNanos {
                    stopGenerating(time)
                    break
                }
                guard let request = source.take(intended: time) else {
                    if source.isExhausted { stopGenerating(time) }
                    break
                }
                generated += 1
                if time < warmupNanos { warmupCount += 1 } else { stats.intendedMeasured += 1 }
                addSecond(time) { $0.intended += 1 }
                enqueue(Scheduled(request: request, intendedNanos: time))
                open -= 1
            }
        }
        dispatch()
        flushAll()
    }

    /// Closed loop with nothing queued: up to `wanted` new requests written straight into the
    /// outgoing bytes of the connections with room, one per connection in turn (as `dispatch` deals
    /// them), sent at `time`. Counted per connection batch, not per request. Returns how many.
    private func writeDirectly(_ wanted: Int, at time: Int64, answered: Int?) -> Int {
        var allowed = wanted
        if let requestLimit, time >= warmupNanos {
            let left = requestLimit - (generated - warmupCount)
            guard left > 0 else {
                stopGenerating(time)
                return 0
            }
            allowed = min(allowed, left)
        }
        // Deal the requests out one per connection with room, in turn, before writing any: each
        // connection's share is then written in one piece.
        let count = slots.count
        openSlots.removeAll(keepingCapacity: true)
        shares.removeAll(keepingCapacity: true)
        var room = 0
        if let answered, slots[answered].state == .up,
            profile.pipeline - slots[answered].inflight.count == upCount * profile.pipeline - inFlightTotal
        {
            // All the room is on the connection just answered (the steady state): no need to look at the others.
            let free = profile.pipeline - slots[answered].inflight.count
            guard free > 0 else { return 0 }
            openSlots.append(answered)
            shares.append(0)
            room = free
        }
        if openSlots.isEmpty {
            for step in 0..<count {
                let index = (roundRobin &+ step) % count
                let free = profile.pipeline - slots[index].inflight.count
                if slots[index].state == .up, free > 0 {
                    openSlots.append(index)
                    shares.append(0)
                    room += free
                }
            }
        }
        guard !openSlots.isEmpty else { return 0 }
        var dealt = 0
        if allowed >= room {
            for (position, index) in openSlots.enumerated() { shares[position] = profile.pipeline - slots[index].inflight.count }
            dealt = room
            roundRobin = (openSlots.last ?? 0) &+ 1
        } else {
            var position = 0
            while dealt < allowed {
                if position >= openSlots.count { position = 0 }
                let index = openSlots[position]
                if profile.pipeline - slots[index].inflight.count - shares[position] > 0 {
                    shares[position] += 1
                    dealt += 1
                    roundRobin = index &+ 1
                }
                position += 1
            }
        }
        let measured = time >= warmupNanos
        var written = 0
        var exhausted = false
        for (position, index) in openSlots.enumerated() where shares[position] > 0 {
            let slot = slots[index]
            guard var outgoing = slot.outgoing else { continue }
            // The buffer and the in-flight queue are moved out while written to (the buffer stays
            // uniquely referenced, and each is reached once per batch, not once per request).
            slot.outgoing = nil
            var inflight = Deque<InFlight>()
            swap(&inflight, &slot.inflight)
            if outgoing.readableBytes == 0 { unflushed.append(index) }
            let share = shares[position]
            let count = source.write(share, intended: time, into: &outgoing) { request in
                inflight.append(
                    InFlight(
                        intendedNanos: time, sentNanos: time, measured: measured, control: false,
                        command: request.command, operation: request.operation,
                        keys: request.keys, requestBytes: request.byteCount))
            }
            swap(&inflight, &slot.inflight)
            slot.outgoing = outgoing
            written += count
            if count < share {
                exhausted = true
                break
            }
        }
        if written > 0 {
            generated += written
            inFlightTotal += written
            if measured {
                stats.intendedMeasured += written
                stats.sent += written
                stats.firstSentNanos = min(stats.firstSentNanos, time)
                stats.lastSentNanos = max(stats.lastSentNanos, time)
            } else {
                warmupCount += written
            }
            addSecond(time) {
                $0.intended += written
                if measured { $0.sent += written }
            }
        }
        if exhausted, source.isExhausted { stopGenerating(time) }
        return exhausted ? wanted : written
    }

    private static let moved: ErrorKind = "MOVED"
    private static let ask: ErrorKind = "ASK"

    /// `hops`: redirections followed so far (a request sent again after `MOVED`/`ASK` is not
    /// counted as sent twice, except by the node that got it).
    private func send(_ request: PreparedRequest, intended: Int64, on slot: Slot, at time: Int64, hops: UInt8 = 0) {
        let measured = intended >= warmupNanos
        if pooled, measured { stats.nodes[slot.node].sent += 1 }
        slot.inflight.append(
            InFlight(
                intendedNanos: intended, sentNanos: time, measured: measured, control: false,
                command: request.command, operation: request.operation, keys: request.keys,
                requestBytes: request.bytes.count, resend: clusterRouting ? request.bytes : nil,
                hops: hops))
        inFlightTotal += 1
        write(request.bytes, on: slot)
        if measured, hops == 0 {
            stats.sent += 1
            stats.firstSentNanos = min(stats.firstSentNanos, time)
            stats.lastSentNanos = max(stats.lastSentNanos, time)
            addSecond(time) { $0.sent += 1 }
        }
    }

    private func sendControl(_ bytes: [UInt8], on slot: Slot, command: String = "HELLO") {
        let time = now()
        slot.inflight.append(
            InFlight(
                intendedNanos: time, sentNanos: time, measured: false, control: true,
                command: command, operation: .other, keys: [], requestBytes: bytes.count))
        inFlightTotal += 1
        write(bytes, on: slot)
    }

    /// Queues a request's bytes on the slot; they go out (and to the decoder) with the next `flushAll`.
    private func write(_ bytes: [UInt8], on slot: Slot) {
        guard slot.outgoing != nil else { return }
        if slot.outgoing?.readableBytes == 0 { unflushed.append(slot.index - slotRange.lowerBound) }
        slot.outgoing?.writeBytes(bytes)
    }

    /// Writes and flushes every slot's queued requests, one write per connection, and feeds them to
    /// its decoder in one piece.
    private func flushAll() {
        guard !unflushed.isEmpty else { return }
        let time = now()
        for index in unflushed {
            let slot = slots[index]
            guard let channel = slot.channel, var outgoing = slot.outgoing, outgoing.readableBytes > 0 else { continue }
            slot.outgoing = nil
            // A request that expects no reply (memcached noreply, CLIENT REPLY OFF) comes out of the
            // decoder as soon as the requests before it are answered: it completes its in-flight entry then.
            var tally = ReplyTally()
            take(slot, into: &tally)
            outgoing.withUnsafeReadableBytes { bytes in
                slot.decoder.sent(bytes, atNanos: wall(time)) { message in
                    complete(message, at: time, tally: &tally)
                }
            }
            add(&tally, to: slot, at: time)
            channel.writeAndFlush(outgoing, promise: nil)
            // Written at once when the socket takes it (the usual case): the storage is ours again, and reused.
            outgoing.clear()
            if slot.channel != nil { slot.outgoing = outgoing }
        }
        unflushed.removeAll(keepingCapacity: true)
    }

    // MARK: Redis Cluster redirections

    /// `ASKING`, sent before a request an `ASK` reply sent to a slot's importing node.
    private static let asking = Array("*1\r\n$6\r\nASKING\r\n".utf8)

    /// Follows the `MOVED` and `ASK` replies of one piece, as cluster clients do: reads each
    /// reply's slot and address from the bytes it came in, then — `MOVED` — points the slot at that
    /// node for every later request and sends the request there, or — `ASK` — sends `ASKING` and the
    /// request to that node once, the slot map unchanged. A request redirected 5 times, or to a node
    /// not in the slot map, fails (`redirect-loop`, `redirect-unknown-node`).
    private func followRedirects(_ tally: inout ReplyTally, from slot: Slot, at time: Int64) {
        defer {
            slot.replyCarry.removeFirst(min(tally.consumed, slot.replyCarry.count))
            tally.redirects.removeAll()
        }
        for (request, start, length) in tally.redirects {
            guard start >= 0, length > 0, start + length <= slot.replyCarry.count,
                let redirect = ClusterRedirect(slot.replyCarry[start..<(start + length)])
            else {
                fail(request, kind: "redirect-unreadable", at: time, flow: slot.flow, node: slot.node)
                continue
            }
            guard let node = nodes.firstIndex(where: { $0.host == redirect.host && $0.port == redirect.port }) else {
                fail(request, kind: "redirect-unknown-node", at: time, flow: slot.flow, node: slot.node)
                continue
            }
            guard request.hops < 5, let bytes = request.resend else {
                fail(request, kind: "redirect-loop", at: time, flow: slot.flow, node: slot.node)
                continue
            }
            if !redirect.ask { routing?.moved(slot: redirect.slot, to: node) }
            // The node's open connection with the fewest requests in flight.
            let candidates = slots.filter { $0.node == node && $0.state == .up }
            guard let target = candidates.min(by: { $0.inflight.count < $1.inflight.count }) else {
                fail(request, kind: "redirect-unreachable", at: time, flow: slot.flow, node: node)
                continue
            }
            if redirect.ask { sendControl(Self.asking, on: target, command: "ASKING") }
            send(
                PreparedRequest(bytes: bytes, command: request.command, operation: request.operation, keys: request.keys),
                intended: request.intendedNanos, on: target, at: time, hops: request.hops + 1)
        }
        flushAll()
    }

    // MARK: Accounting

    private func addSecond(_ time: Int64, _ update: (inout LoadRun.Second) -> Void) {
        let second = Int(max(0, time) / 1_000_000_000)
        guard second < 7 * 86_400 else { return }
        while stats.seconds.count <= second {
            let start = Int64(stats.seconds.count) * 1_000_000_000
            stats.seconds.append(
                LoadRun.Second(
                    second: stats.seconds.count, measured: start >= warmupNanos,
                    sent: 0, intended: 0, completed: 0, errors: 0))
        }
        update(&stats.seconds[second])
    }

    private func postProgress(_ time: Int64) {
        let inFlight = slots.reduce(0) { $0 + $1.inflight.count }
        board.post(
            worker: index, elapsed: Double(time) / 1e9, measuring: time >= warmupNanos,
            targetRate: source.targetRate(at: Double(time) / 1e9), completed: intervalCompleted,
            errors: intervalErrors, histogram: interval, inFlight: inFlight, backlog: backlog.count + waitingCount)
        if postsLiveState {
            drainAnalysis()
            board.postLive(
                worker: index,
                LoadLiveState(
                    service: stats.service, corrected: stats.corrected, analysis: analyzer.snapshot(keyLimit: liveKeyLimit), inFlight: inFlight,
                    elapsedSeconds: Double(time) / 1e9))
        }
        interval.reset()
        intervalCompleted = 0
        intervalErrors = 0
    }

    private func checkFinished(_ time: Int64) {
        guard !finished, !generating else { return }
        let idle = !hasQueued && slots.allSatisfy { $0.inflight.allSatisfy(\.control) }
        let expired = drainDeadline.map { time >= $0 } ?? true
        guard idle || expired else { return }
        finished = true
        task?.cancel()
        inFlightTotal = 0
        for slot in slots {
            while let request = slot.inflight.popFirst() {
                if !request.control { fail(request, kind: "unanswered", at: time, flow: slot.flow, node: slot.node) }
            }
        }
        var left = backlog.filter { $0.intendedNanos >= warmupNanos }.count
        for slot in slots {
            left += slot.waiting.filter { $0.intendedNanos >= warmupNanos }.count
            slot.waiting.removeAll()
        }
        waitingCount = 0
        stats.dropped += left
        if left > 0 {
            stats.errors += left
            stats.errorsByKind["dropped", default: 0] += left
        }
        backlog.removeAll()
        var health = ParserHealth()
        for slot in slots {
            health += slot.decoder.health
            slot.state = .down
            slot.channel?.close(promise: nil)
            slot.channel = nil
        }
        upCount = 0
        postProgress(time)
        drainAnalysis()
        postLog(end: time)
        promise.succeed(WorkerResult(stats: stats, analysis: analyzer.snapshot(), parserHealth: health))
    }
}

/// `HELLO 3`, which switches a connection to RESP3.
enum EncodedHello {
    static let bytes = RequestEncoder.hello3
}

/// Hands a connection's bytes and its closing to the worker that owns it.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let worker: LoadWorker
    let slot: Int

    init(worker: LoadWorker, slot: Int) {
        self.worker = worker
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        worker.received(slot, Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.closed(slot)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
