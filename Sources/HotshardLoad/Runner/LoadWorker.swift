import HotshardAnalysis
import HotshardBytes
import HotshardCapture
import HotshardProtocols
import NIOCore
import NIOPosix

/// One event loop's share of a load run: its connections, its part of the schedule, its
/// histograms and its analyzer. Every method runs on `loop` (hence `@unchecked Sendable`:
/// confinement, not locks); the runner merges the workers' results at the end.
///
/// The decisions are the state machines' (as swift-nio's handlers keep theirs): `SchedulePhase`
/// (generating, draining, finished; the request budget), `RequestBacklog` (requests due and not
/// yet sent), each connection's `ConnectionLifecycle` and `PipelineWindow` (requests in flight,
/// paired with their replies), `RoundRobinDealer` (which connection sends next),
/// `ReplyTally` and `LoadAccounting` (the counts). The worker is the glue: it reads the clock,
/// feeds them events, and does the I/O they call for.
final class LoadWorker: @unchecked Sendable {
    struct WorkerResult {
        var stats: LoadStats
        var analysis: AnalysisSnapshot
        var parserHealth: ParserHealth
        /// AMQP connections the broker did not answer connection.close on (see `AMQPCloseHandler`).
        var unansweredCloses = 0
    }

    let loop: EventLoop
    let profile: LoadProfile
    let index: Int
    /// This worker's run-wide connection indices.
    private let slotRange: Range<Int>
    /// The servers (one, or a pool's nodes) and this worker's connections to each.
    private let nodes: [LoadTarget]
    private let perNode: Int
    /// The pool's request router (its slot map is updated on `MOVED`); nil for one server.
    private let routing: RoutedRequests?
    /// A Redis Cluster pool: `MOVED` and `ASK` replies are followed (see `followRedirects`).
    private let clusterRouting: Bool
    private let source: RequestSource
    private let analyzer: HotKeyAnalyzer
    private let board: ProgressBoard
    /// `--hlog`: where each second's measured latencies go.
    private let histogramLog: HistogramLogSink?
    private let timeoutNanos: Int64
    private let closedLoop: Bool
    /// Free pipeline slots a busy connection waits for before more of its own requests go out (closed loop).
    private var batchRoom: Int { max(1, profile.pipeline / 2) }
    /// Closed loop: requests taken from the source and not yet answered, in pipelines per
    /// connection. Requests bound to a connection (`replay`) arrive spread over all of them, so with
    /// one pipeline's worth the waiting ones took the room of those in flight: a connection freed
    /// by a reply found ~8 of its own requests waiting, and the writes carried 7.8 requests where
    /// load's carry 16. With two, they carry 15.
    private var takenDepth: Int { source.sendsOnAnyConnection ? 1 : 2 }
    private let promise: EventLoopPromise<WorkerResult>
    /// Posts its cumulative histograms and analysis with every progress post (`--metrics-listen`).
    /// Set before `start`.
    var postsLiveState = false
    /// The hottest keys each live state carries (`LoadRunner.liveKeyLimit`).
    var liveKeyLimit = 100

    private var connections: [LoadConnection] = []
    private var phase: SchedulePhase
    private let backlog: RequestBacklog
    private var dealer = RoundRobinDealer()
    private var accounting: LoadAccounting
    /// When the schedule starts, and its zero on the uptime and wall clocks.
    private var origin: ScheduleStart
    private var task: RepeatedTask?
    private var lastProgressSecond = 0
    private var lastTimeoutCheck: Int64 = 0
    /// Sum of the connections' in-flight counts, kept so that a top-up does not walk every connection.
    private var inFlightTotal = 0
    /// Connections that are up: with `inFlightTotal`, the room left on all of them together.
    private var upCount = 0
    /// Connections with bytes written since their last flush, each once.
    private var unflushed: [Int] = []
    /// Finished messages not yet given to the analyzer: it takes them in batches (it prefetches).
    private var analysisBatch: [Message] = []

    /// `connections`: this worker's run-wide connection indices; with a pool, `nodes.count × perNode`
    /// of them, node by node (`perNode` connections to each node).
    init(
        loop: EventLoop, profile: LoadProfile, index: Int, workers: Int, connections: Range<Int>,
        nodes: [LoadTarget]? = nil, perNode: Int? = nil, routing: RoutedRequests? = nil,
        analysis: AnalysisConfiguration, board: ProgressBoard, startWallNanos: Int64, source: RequestSource,
        histogramLog: HistogramLogSink? = nil
    ) {
        self.histogramLog = histogramLog
        self.loop = loop
        self.profile = profile
        self.index = index
        self.slotRange = connections
        self.nodes = nodes ?? [profile.target]
        self.perNode = max(1, perNode ?? connections.count)
        self.routing = routing
        self.clusterRouting = routing != nil && profile.pool?.placement == .redisCluster
        self.source = source
        self.analyzer = HotKeyAnalyzer(configuration: analysis, keySpace: LoadKeySpace.make(profile, capacity: analysis.capacity))
        self.board = board
        self.origin = ScheduleStart(connections: 0, uptimeNanos: 0, wallNanos: startWallNanos, scheduleAtUptime: nil)
        let warmupNanos = Int64(profile.warmupSeconds * 1e9)
        // Split the request budget among the workers; the warm-up comes on top.
        let requestLimit = profile.requests.map { $0 / workers + (index < $0 % workers ? 1 : 0) }
        self.phase = SchedulePhase(
            warmupNanos: warmupNanos, endNanos: profile.totalSeconds.map { Int64($0 * 1e9) }, requestLimit: requestLimit)
        self.backlog = RequestBacklog(connections: connections.count, capacity: profile.maxBacklog, warmupNanos: warmupNanos)
        self.accounting = LoadAccounting(
            warmupNanos: warmupNanos, nodes: nodes.map { $0.map { "\($0.host):\($0.port)" } }, logging: histogramLog != nil)
        self.timeoutNanos = Int64(profile.timeoutSeconds * 1e9)
        self.closedLoop = !profile.arrival.isOpenLoop
        self.promise = loop.makePromise(of: WorkerResult.self)
    }

    var future: EventLoopFuture<WorkerResult> { promise.futureResult }

    /// HTTP keys as the parser names them: the request path, with its query when the key is in it.
    private var httpKey: HTTPKeyMode { profile.httpPath.contains("?") ? .pathWithQuery : .path }

    // MARK: Clock

    private func uptime() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }
    private func now() -> Int64 { uptime() - origin.originUptime }
    private func wall(_ offset: Int64) -> Int64 { origin.originWall + offset }

    // MARK: Start and stop

    /// Starts connecting; `scheduleAt` (uptime ns) is when the schedule starts (`--start-at`, the
    /// same wall-clock instant for every shard), nil: once every connection has been tried.
    func start(uptimeNanos: Int64, scheduleAt: Int64? = nil) {
        loop.assertInEventLoop()
        origin = ScheduleStart(
            connections: slotRange.count, uptimeNanos: uptimeNanos, wallNanos: origin.originWall, scheduleAtUptime: scheduleAt)
        for index in slotRange {
            let node = min(nodes.count - 1, (index - slotRange.lowerBound) / perNode)
            let flow = FlowID(
                client: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: 1 + index)),
                server: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: nodes[node].port)),
                transport: .tcp)
            connections.append(
                LoadConnection(
                    index: index - slotRange.lowerBound, node: node, depth: profile.pipeline,
                    sequenced: profile.amqp?.confirms == true,
                    decoder: ReplyDecoder(wireProtocol: profile.wireProtocol, flow: flow, httpKey: httpKey), flow: flow))
        }
        for connection in connections { connect(connection) }
    }

    /// Carries out what `origin` says: wait for the shared start, or start the schedule (its zero
    /// moved, the times kept so far move with it).
    private func startSchedule(_ action: ScheduleStart.Action) {
        switch action {
        case .none:
            return
        case .wait(let nanos):
            loop.scheduleTask(in: .nanoseconds(nanos)) { [self] in
                guard !phase.isFinished else { return }
                startSchedule(origin.due(atUptime: uptime()))
            }
        case .begin(let shift):
            for connection in connections {
                connection.lifecycle.shift(by: shift)
                connection.window.shift(by: shift)
            }
            task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .microseconds(250)) { [self] _ in
                tick()
            }
            if closedLoop { topUp() }
        }
    }

    /// Stops sending (SIGINT): in-flight requests get `drainSeconds` to finish.
    func stop(drainSeconds: Double) {
        loop.assertInEventLoop()
        guard !phase.isFinished else { return }
        phase.stopGenerating(drainUntil: now() + Int64(drainSeconds * 1e9))
        // Requests not yet sent will not be: they are dropped, not errors of the server.
        accounting.droppedAtStop(backlog.removeAll())
    }

    private func stopGenerating(_ time: Int64) {
        phase.stopGenerating(drainUntil: time + max(timeoutNanos, 1_000_000_000))
    }

    /// A connection that fails or closes is tried again while there is something to send.
    private var retries: Bool { !phase.isFinished && (phase.isGenerating || !backlog.isEmpty) }

    // MARK: Connections

    private func connect(_ connection: LoadConnection) {
        guard !phase.isFinished else { return }
        connection.lifecycle.connecting()
        let worker = self
        let slot = connection.index
        let node = nodes[connection.node]
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: node.host, port: node.port)
        } catch {
            connected(slot, .failure(error))
            return
        }
        if let amqp = profile.amqp {
            // AMQP: the connection is up once the handshake (and confirm.select) is answered.
            AMQPHandshakeHandler.connect(
                loop: loop, address: address, settings: amqp, steps: amqp.publisherSteps, timeoutNanos: timeoutNanos,
                makeNext: { LoadConnectionHandler(worker: worker, slot: slot) }
            ).whenComplete { result in
                worker.connected(slot, result.map { $0.0 }, transcript: try? result.get().1)
            }
            return
        }
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // A server that stopped accepting is given up on as soon as a request would be.
            .connectTimeout(.nanoseconds(timeoutNanos))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LoadConnectionHandler(worker: worker, slot: slot))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                worker.connected(slot, result)
            }
    }

    /// `transcript`: an AMQP connection's handshake, fed to its decoder (its confirm mode).
    private func connected(_ slot: Int, _ result: Result<Channel, Error>, transcript: AMQPHandshakeHandler.Transcript? = nil) {
        let connection = connections[slot]
        defer {
            // The schedule starts once every connection has been tried (see `ScheduleStart`).
            if !origin.isStarted, !phase.isFinished { startSchedule(origin.attemptEnded(atUptime: uptime())) }
        }
        switch result {
        case .success(let channel):
            if phase.isFinished {
                _ = close([channel])
                return
            }
            connection.channel = channel
            connection.lifecycle.connected()
            upCount += 1
            let localPort = UInt16(truncatingIfNeeded: channel.localAddress?.port ?? 0)
            connection.flow.client = Endpoint(ipv4: 0x7f00_0001, port: localPort)
            connection.decoder = ReplyDecoder(wireProtocol: profile.wireProtocol, flow: connection.flow, httpKey: httpKey)
            connection.outgoing = channel.allocator.buffer(capacity: 4_096)
            connection.replyCarry.removeAll()
            if let transcript {
                let wallTime = wall(now())
                transcript.sent.withByteView { connection.decoder.sent($0, atNanos: wallTime) }
                transcript.received.withByteView { _ = connection.decoder.received($0, atNanos: wallTime) { _ in } }
            }
            if profile.wireProtocol == .resp, profile.respVersion == 3 {
                sendControl(EncodedHello.bytes, on: connection)
            }
            if task != nil {
                if closedLoop { topUp() } else { dispatch() }
            }
            flushAll()
        case .failure:
            accounting.connectFailed()
            connection.lifecycle.connectFailed(at: now(), retry: retries)
        }
    }

    /// The channel closed (server gone, timeout, reset): its in-flight requests failed.
    func closed(_ slot: Int) {
        let connection = connections[slot]
        let time = now()
        guard let kind = connection.lifecycle.channelClosed(at: time, retry: retries) else { return }
        upCount -= 1
        connection.channel = nil
        connection.outgoing = nil
        inFlightTotal -= connection.window.count
        connection.window.removeAll { request in
            if !request.control { fail(request, kind: kind, at: time, flow: connection.flow, node: connection.node) }
        }
        accounting.reconnecting()
        if phase.isFinished { return }
        checkFinished(time)
    }

    /// A request that got no reply: counted as an error of `kind`, and analysed as such.
    private func fail(_ request: InFlightRequest, kind: String, at time: Int64, flow: FlowID, node: Int) {
        accounting.failed(kind: kind, measured: request.measured, node: node, at: time)
        guard request.measured else { return }
        analyse(
            Message(
                timestampNanos: wall(request.intendedNanos), flow: flow, wireProtocol: profile.wireProtocol,
                command: request.command, operation: request.operation,
                keys: request.keys, requestBytes: request.requestBytes, status: .error(kind: ErrorKind(kind))))
    }

    // MARK: Replies

    func received(_ slot: Int, _ buffer: ByteBuffer) {
        let connection = connections[slot]
        guard connection.lifecycle.isUp else { return }
        let time = now()
        let wallTime = wall(time)
        var piece = ReplyPiece()
        take(connection, into: &piece)
        if clusterRouting { buffer.withUnsafeReadableBytes { connection.replyCarry.append(contentsOf: $0) } }
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            connection.decoder.received(ByteView(bytes), atNanos: wallTime) { message in
                complete(message, at: time, piece: &piece)
            }
        }
        add(&piece, to: connection, at: time)
        if clusterRouting { followRedirects(&piece, from: connection, at: time) }
        if !parsed {
            if connection.lifecycle.close(reason: "malformed-reply") { connection.channel?.close(promise: nil) }
            return
        }
        if closedLoop {
            topUp(answered: slot)
        } else if !backlog.isEmpty {
            dispatch()
            flushAll()
        }
        checkFinished(time)
    }

    /// Lends the connection's requests in flight and the analysis batch to `piece` while it is decoded.
    private func take(_ connection: LoadConnection, into piece: inout ReplyPiece) {
        swap(&piece.window, &connection.window)
        swap(&piece.batch, &analysisBatch)
        piece.startWall = origin.originWall
        piece.tally.node = connection.node
    }

    /// Puts back what `take` lent and adds the piece's tally to the run's figures.
    private func add(_ piece: inout ReplyPiece, to connection: LoadConnection, at time: Int64) {
        swap(&piece.window, &connection.window)
        swap(&piece.batch, &analysisBatch)
        inFlightTotal -= piece.tally.answered
        accounting.add(&piece.tally, at: time)
    }

    /// Hands this worker's histograms of interval `lastProgressSecond` (ending at `end`) to the
    /// `--hlog` sink; nothing for intervals wholly inside the warm-up.
    private func postLog(end: Int64) {
        guard let histogramLog else { return }
        guard Int64(lastProgressSecond + 1) * 1_000_000_000 > phase.warmupNanos else { return }
        guard let second = accounting.takeLogInterval() else { return }
        histogramLog.post(
            worker: index, interval: lastProgressSecond, corrected: second.corrected, service: second.service, endNanos: end,
            baseNanos: origin.originWall)
    }

    /// One decoded reply (or request answered by silence), paired with its request in flight: the
    /// oldest, or the publish an AMQP confirm names (confirms may come out of order).
    private func complete(_ message: Message, at time: Int64, piece: inout ReplyPiece) {
        // The decoder pairs replies with the requests it was fed, as the window does: a reply with
        // nothing in flight cannot come from it, and is ignored if it ever did.
        guard case .paired(let request) = piece.window.reply(to: message) else { return }
        piece.tally.answered += 1
        let replyStart = piece.consumed
        piece.consumed += message.replyBytes
        if request.control { return }
        if clusterRouting, request.resend != nil, case .error(let kind) = message.status, kind == Self.moved || kind == Self.ask {
            // Not an answer: the request goes again to the node the reply names (after this piece).
            if request.measured { accounting.redirected(from: piece.tally.node) }
            piece.redirects.append((request, replyStart, message.replyBytes))
            return
        }
        if case .noReply = message.status {
            // Answered by silence: sent and done, with no latency to measure.
            piece.tally.completedSilently(measured: request.measured)
            guard request.measured else { return }
            analyse(message, of: request, latencyNanos: message.latencyNanos, piece: &piece)
            return
        }
        let latency = request.latency(repliedAt: time)
        var isError = false
        if case .error(let kind) = message.status {
            isError = true
            if request.measured { accounting.errorReply(kind: kind.description) }
        }
        if let ended = piece.tally.replied(
            serviceNanos: latency.serviceNanos, correctedNanos: latency.correctedNanos, measured: request.measured,
            isError: isError)
        {
            accounting.record(ended, node: piece.tally.node)
        }
        guard request.measured else { return }
        analyse(message, of: request, latencyNanos: latency.serviceNanos, piece: &piece)
    }

    /// Gives `message` to the analyzer, in order, 64 at a time (and the rest before the snapshot),
    /// stamped with its intended send time, its latency and its keys' numbers (the analyzer counts
    /// numbered keys by number).
    private func analyse(_ message: Message, of request: InFlightRequest, latencyNanos: Int64?, piece: inout ReplyPiece) {
        piece.batch.append(message)
        let last = piece.batch.count - 1
        piece.batch[last].keys.takeIndices(from: request.keys)
        piece.batch[last].timestampNanos = piece.startWall + request.intendedNanos
        piece.batch[last].latencyNanos = latencyNanos
        if piece.batch.count >= 64 {
            analyzer.receive(contentsOf: piece.batch)
            piece.batch.removeAll(keepingCapacity: true)
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
        guard !phase.isFinished else { return }
        let time = now()
        if phase.isGenerating, !closedLoop {
            while let intended = source.nextIntendedNanos(), intended <= time {
                guard phase.admits(intended: intended) else {
                    stopGenerating(time)
                    break
                }
                guard let request = source.take(intended: intended) else { break }
                phase.generated(intended: intended)
                accounting.generated(intended: intended)
                enqueue(ScheduledRequest(request: request, intendedNanos: intended))
            }
            if source.isExhausted { stopGenerating(time) }
            dispatch()
            flushAll()
        } else if phase.isGenerating, closedLoop {
            if let endNanos = phase.endNanos, time >= endNanos { stopGenerating(time) } else { topUp() }
        } else if !backlog.isEmpty {
            dispatch()
            flushAll()
        }
        if retries {
            for connection in connections where connection.lifecycle.reconnectDue(at: time) { connect(connection) }
        }
        if time - lastTimeoutCheck > 10_000_000 {
            lastTimeoutCheck = time
            // Requests that waited `timeout` for a connection (server gone) are given up, as a client would.
            backlog.expire(at: time, timeoutNanos: timeoutNanos) { request in
                accounting.gaveUpWaiting(measured: request.intendedNanos >= phase.warmupNanos, at: time)
            }
            for connection in connections where connection.window.timedOut(at: time, timeoutNanos: timeoutNanos) {
                if connection.lifecycle.close(reason: "timeout") { connection.channel?.close(promise: nil) }
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

    /// Queues a due request (on its own connection's queue when it names one); a request dropped
    /// to make room is counted.
    private func enqueue(_ scheduled: consuming ScheduledRequest) {
        let local = scheduled.request.connection.map { $0 - slotRange.lowerBound }
        if let dropped = backlog.enqueue(scheduled, connection: local) {
            accounting.droppedForRoom(measured: dropped.intendedNanos >= phase.warmupNanos)
        }
    }

    private func dispatch() {
        guard !backlog.isEmpty else { return }
        // One clock reading for the whole batch: the requests go out in the same write.
        let time = now()
        if backlog.waitingCount > 0 {
            for connection in connections where connection.lifecycle.isUp {
                // As fast as possible (`replay --max`), a connection with requests in flight waits
                // until half its pipeline is free: each reply read freed a few slots on it, and
                // filling them at once wrote ~5 requests a write where load writes 16 (3x the
                // write syscalls). Requests with an intended time go out when due.
                if closedLoop, connection.window.count > 0, connection.window.room < batchRoom { continue }
                while connection.window.hasRoom, let next = backlog.nextWaiting(on: connection.index) {
                    let intended = next.intendedNanos
                    send((consume next).request, intended: intended, on: connection, at: time)
                }
            }
        }
        guard !backlog.sharedIsEmpty else { return }
        // One request per connection with room, in turn (round robin, skipping full ones).
        dealer.list(count: connections.count) { connections[$0].lifecycle.isUp ? connections[$0].window.room : 0 }
        var position = 0
        while !dealer.open.isEmpty, let next = backlog.nextShared() {
            if position >= dealer.open.count { position = 0 }
            let connection = connections[dealer.open[position]]
            let intended = next.intendedNanos
            send((consume next).request, intended: intended, on: connection, at: time)
            position = dealer.took(at: position, full: !connection.window.hasRoom)
        }
    }

    /// Closed loop: keep `pipeline` requests in flight on every open connection. Requests bound to
    /// a connection may wait for it; at most `connections × pipeline × takenDepth` are in flight or waiting.
    /// `answered`: the connection whose replies were just read, when there is one (usually the only
    /// one with room).
    private func topUp(answered: Int? = nil) {
        if phase.isGenerating {
            let time = now()
            // Never past the backlog's room: a closed loop drops nothing it took.
            var open =
                min(
                    connections.count * profile.pipeline * takenDepth - inFlightTotal, backlog.capacity) - backlog.count
            if open > 0, backlog.isEmpty, source.sendsOnAnyConnection {
                open -= writeDirectly(open, at: time, answered: answered)
            }
            let anyUp = connections.contains { $0.lifecycle.isUp }
            while phase.isGenerating, anyUp, open > 0 {
                guard phase.withinBudget(intended: time) else {
                    stopGenerating(time)
                    break
                }
                guard let request = source.take(intended: time) else {
                    if source.isExhausted { stopGenerating(time) }
                    break
                }
                phase.generated(intended: time)
                accounting.generated(intended: time)
                enqueue(ScheduledRequest(request: request, intendedNanos: time))
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
        if let left = phase.remaining(intended: time) {
            guard left > 0 else {
                stopGenerating(time)
                return 0
            }
            allowed = min(allowed, left)
        }
        // Deal the requests out one per connection with room, in turn, before writing any: each
        // connection's share is then written in one piece.
        if let answered, connections[answered].lifecycle.isUp,
            connections[answered].window.room == upCount * profile.pipeline - inFlightTotal
        {
            // All the room is on the connection just answered (the steady state): no need to look at the others.
            let free = connections[answered].window.room
            guard free > 0 else { return 0 }
            dealer.list(only: answered, room: free)
        } else {
            dealer.list(count: connections.count) { connections[$0].lifecycle.isUp ? connections[$0].window.room : 0 }
        }
        guard dealer.deal(allowed, room: { connections[$0].window.room }) > 0 else { return 0 }
        let measured = time >= phase.warmupNanos
        var written = 0
        var exhausted = false
        for (position, index) in dealer.open.enumerated() where dealer.shares[position] > 0 {
            let connection = connections[index]
            guard var outgoing = connection.outgoing else { continue }
            // The buffer and the in-flight queue are moved out while written to (the buffer stays
            // uniquely referenced, and each is reached once per batch, not once per request).
            connection.outgoing = nil
            var window = PipelineWindow(depth: 0)
            swap(&window, &connection.window)
            if outgoing.readableBytes == 0 { unflushed.append(index) }
            let share = dealer.shares[position]
            let count = source.write(share, intended: time, into: &outgoing) { request in
                window.sent(
                    InFlightRequest(
                        intendedNanos: time, sentNanos: time, measured: measured, control: false,
                        command: request.command, operation: request.operation,
                        keys: request.keys, requestBytes: request.byteCount))
            }
            swap(&window, &connection.window)
            connection.outgoing = outgoing
            written += count
            if count < share {
                exhausted = true
                break
            }
        }
        if written > 0 {
            phase.generated(written, intended: time)
            inFlightTotal += written
            accounting.generatedAndSent(written, at: time)
        }
        if exhausted, source.isExhausted { stopGenerating(time) }
        return exhausted ? wanted : written
    }

    private static let moved: ErrorKind = "MOVED"
    private static let ask: ErrorKind = "ASK"

    /// `hops`: redirections followed so far (a request sent again after `MOVED`/`ASK` is not
    /// counted as sent twice, except by the node that got it).
    ///
    /// `consuming`: the request's keys (and, for a cluster, its bytes) move into its in-flight entry.
    /// Borrowed, each send copied the request, retaining its bytes and keys once more.
    private func send(_ request: consuming PreparedRequest, intended: Int64, on connection: LoadConnection, at time: Int64, hops: UInt8 = 0) {
        let measured = intended >= phase.warmupNanos
        accounting.sentToNode(connection.node, measured: measured)
        write(request.bytes, on: connection)
        let requestBytes = request.bytes.count
        connection.window.sent(
            InFlightRequest(
                intendedNanos: intended, sentNanos: time, measured: measured, control: false,
                command: request.command, operation: request.operation, keys: request.keys,
                requestBytes: requestBytes, resend: clusterRouting ? request.bytes : nil,
                hops: hops))
        inFlightTotal += 1
        if hops == 0 { accounting.sent(at: time, measured: measured) }
    }

    private func sendControl(_ bytes: [UInt8], on connection: LoadConnection, command: String = "HELLO") {
        let time = now()
        connection.window.sent(
            InFlightRequest(
                intendedNanos: time, sentNanos: time, measured: false, control: true,
                command: command, operation: .other, keys: [], requestBytes: bytes.count))
        inFlightTotal += 1
        write(bytes, on: connection)
    }

    /// Queues a request's bytes on the connection; they go out (and to the decoder) with the next `flushAll`.
    private func write(_ bytes: [UInt8], on connection: LoadConnection) {
        guard connection.outgoing != nil else { return }
        if connection.outgoing?.readableBytes == 0 { unflushed.append(connection.index) }
        connection.outgoing?.writeBytes(bytes)
    }

    /// Writes and flushes every connection's queued requests, one write per connection, and feeds
    /// them to its decoder in one piece.
    private func flushAll() {
        guard !unflushed.isEmpty else { return }
        let time = now()
        for index in unflushed {
            let connection = connections[index]
            guard let channel = connection.channel, var outgoing = connection.outgoing, outgoing.readableBytes > 0 else { continue }
            connection.outgoing = nil
            // A request that expects no reply (memcached noreply, CLIENT REPLY OFF) comes out of the
            // decoder as soon as the requests before it are answered: it completes its in-flight entry then.
            var piece = ReplyPiece()
            take(connection, into: &piece)
            outgoing.withUnsafeReadableBytes { bytes in
                connection.decoder.sent(ByteView(bytes), atNanos: wall(time)) { message in
                    complete(message, at: time, piece: &piece)
                }
            }
            add(&piece, to: connection, at: time)
            channel.writeAndFlush(outgoing, promise: nil)
            // Written at once when the socket takes it (the usual case): the storage is ours again, and reused.
            outgoing.clear()
            if connection.channel != nil { connection.outgoing = outgoing }
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
    private func followRedirects(_ piece: inout ReplyPiece, from connection: LoadConnection, at time: Int64) {
        defer {
            connection.replyCarry.removeFirst(min(piece.consumed, connection.replyCarry.count))
            piece.redirects.removeAll()
        }
        for (request, start, length) in piece.redirects {
            guard start >= 0, length > 0, start + length <= connection.replyCarry.count,
                let redirect = ClusterRedirect(connection.replyCarry[start..<(start + length)])
            else {
                fail(request, kind: "redirect-unreadable", at: time, flow: connection.flow, node: connection.node)
                continue
            }
            guard let node = nodes.firstIndex(where: { $0.host == redirect.host && $0.port == redirect.port }) else {
                fail(request, kind: "redirect-unknown-node", at: time, flow: connection.flow, node: connection.node)
                continue
            }
            guard request.hops < 5, let bytes = request.resend else {
                fail(request, kind: "redirect-loop", at: time, flow: connection.flow, node: connection.node)
                continue
            }
            if !redirect.ask { routing?.moved(slot: redirect.slot, to: node) }
            // The node's open connection with the fewest requests in flight.
            let candidates = connections.filter { $0.node == node && $0.lifecycle.isUp }
            guard let target = candidates.min(by: { $0.window.count < $1.window.count }) else {
                fail(request, kind: "redirect-unreachable", at: time, flow: connection.flow, node: node)
                continue
            }
            if redirect.ask { sendControl(Self.asking, on: target, command: "ASKING") }
            send(
                PreparedRequest(bytes: bytes, command: request.command, operation: request.operation, keys: request.keys),
                intended: request.intendedNanos, on: target, at: time, hops: request.hops + 1)
        }
        flushAll()
    }

    // MARK: Progress and the end

    private func postProgress(_ time: Int64) {
        let inFlight = connections.reduce(0) { $0 + $1.window.count }
        board.post(
            worker: index, elapsed: Double(time) / 1e9, measuring: time >= phase.warmupNanos,
            targetRate: source.targetRate(at: Double(time) / 1e9), completed: accounting.intervalCompleted,
            errors: accounting.intervalErrors, histogram: accounting.interval, inFlight: inFlight, backlog: backlog.count)
        if postsLiveState {
            drainAnalysis()
            board.postLive(
                worker: index,
                LoadLiveState(
                    service: accounting.stats.service, corrected: accounting.stats.corrected,
                    analysis: analyzer.snapshot(keyLimit: liveKeyLimit), inFlight: inFlight,
                    elapsedSeconds: Double(time) / 1e9))
        }
        accounting.resetInterval()
    }

    private func checkFinished(_ time: Int64) {
        guard case .draining = phase.state else { return }
        let idle = backlog.isEmpty && connections.allSatisfy { $0.window.onlyControl }
        guard phase.finishIfDone(at: time, idle: idle) else { return }
        task?.cancel()
        inFlightTotal = 0
        for connection in connections {
            connection.window.removeAll { request in
                if !request.control { fail(request, kind: "unanswered", at: time, flow: connection.flow, node: connection.node) }
            }
        }
        accounting.droppedAtEnd(backlog.removeAll())
        // Down for good before their channels close: a close fires `closed(_:)` at once, which would
        // otherwise take an up connection's end for a server's and count a reconnect.
        let channels = connections.compactMap(\.channel)
        for connection in connections {
            connection.lifecycle.finish()
            connection.channel = nil
        }
        let closing = close(channels)
        upCount = 0
        postProgress(time)
        drainAnalysis()
        postLog(end: time)
        // The result waits for the closes: the consumers' drain starts after it, once every
        // publish an answered close covers is in its queue. Nothing is counted meanwhile (the
        // connections are down: their bytes are not read).
        closing.whenSuccess { [self] unanswered in
            var health = ParserHealth()
            for connection in connections { health += connection.decoder.health }
            var result = WorkerResult(stats: accounting.stats, analysis: analyzer.snapshot(), parserHealth: health)
            result.unansweredCloses = unanswered
            promise.succeed(result)
        }
    }

    /// Closes connections the run no longer needs: AMQP with connection.close after the last
    /// publish (the future gives how many the broker did not answer; see `AMQPCloseHandler`), the
    /// other protocols at once (their replies are all in or given up).
    private func close(_ channels: [Channel]) -> EventLoopFuture<Int> {
        guard profile.amqp != nil else {
            for channel in channels { channel.close(promise: nil) }
            return loop.makeSucceededFuture(0)
        }
        return AMQPCloseHandler.close(channels, timeoutNanos: timeoutNanos, on: loop)
    }
}
