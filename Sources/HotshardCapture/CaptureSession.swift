import CPcap
import HotshardBytes
import Synchronization

/// Reads captures — several files merged in time order, or one live interface — and delivers
/// reassembled TCP streams and UDP datagrams to a `StreamSink`, counting everything it could not use.
///
/// Memory is bounded by `CaptureOptions` (flow and buffer caps), not by the capture's size.
public final class CaptureSession: @unchecked Sendable {
    private let sources: [PcapSource]
    private let options: CaptureOptions
    private let stopRequested = Atomic<Bool>(false)
    /// When the capture loop first saw the stop (the reading thread's own).
    private var drainStarted: ContinuousClock.Instant?
    /// A live run with a `tick`: a packet-less wake-up returns to the loop, which ticks.
    private var ticking = false
    private let packetsProgress = Atomic<Int>(0)
    private let bytesProgress = Atomic<Int>(0)
    private let totalBytes: Int?
    private let healthLock = Mutex(CaptureHealth())
    private let problemsLock = Mutex([CaptureError]())

    /// Opens every file now, so that a file libpcap refuses is reported before any work.
    public init(files: [String], options: CaptureOptions = CaptureOptions()) throws {
        var sources: [PcapSource] = []
        for path in files {
            let source = try PcapSource(file: path)
            if let filter = options.filter { try source.apply(filter: filter) }
            sources.append(source)
        }
        self.sources = sources
        self.options = options
        let sizes = sources.compactMap(\.sizeBytes)
        self.totalBytes = sizes.count == sources.count ? sizes.reduce(0, +) : nil
    }

    /// Opens a live interface. Errors say whether the interface is missing or permission lacking.
    public init(liveInterface: String, options: CaptureOptions = CaptureOptions()) throws {
        let source = try PcapSource(interface: liveInterface, options: options)
        if let filter = options.filter { try source.apply(filter: filter) }
        self.sources = [source]
        self.options = options
        self.totalBytes = nil
    }

    /// Counters so far; `kernelDrops` is filled for live captures.
    public var health: CaptureHealth { healthLock.withLock { $0 } }

    /// Files that stopped part-way (truncated records, damaged compression): what came before was used.
    public var problems: [CaptureError] { problemsLock.withLock { $0 } }

    public var progress: CaptureProgress {
        CaptureProgress(
            bytesRead: bytesProgress.load(ordering: .relaxed), totalBytes: totalBytes,
            packets: packetsProgress.load(ordering: .relaxed))
    }

    /// Asks `run` to finish: safe from another thread or a signal handler's dispatch source.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        for source in sources where source.isLive { source.breakLoop() }
    }

    /// Reads until the input ends, a limit is reached or `stop()` is called, then closes every
    /// flow (delivering what was buffered). Calls into `sink` happen on the calling thread.
    public func run<Sink: StreamSink>(into sink: Sink) throws {
        try run(into: sink, tick: nil)
    }

    /// `run(into:)`, and `tick`, when given, runs on the calling thread about four times a second
    /// while a live capture runs, between packets and also when none arrive: where a live consumer
    /// publishes its metrics or rotates its interval without a lock on the packet path.
    public func run<Sink: StreamSink>(into sink: Sink, tick: (() -> Void)?) throws {
        ticking = tick != nil
        var health = CaptureHealth()
        let reassembler = TCPReassembler(options: options)
        var decoders = sources.map { PacketDecoder(link: $0.link) }
        // Per-source packet counts, folded into `byLinkType` when published (no string hashing per packet).
        var packetsPerSource = [Int](repeating: 0, count: sources.count)
        var active: [Int] = []
        var lastTimestamp: Int64 = 0
        for (index, source) in sources.enumerated() where advance(index, source) {
            active.append(index)
        }
        let deadline: Int64? = options.durationSeconds.map { Int64($0 * 1e9) }
        let startClock = ContinuousClock.now
        var packets = 0
        let live = sources.first(where: \.isLive)
        var lastLivePublish = startClock
        var drainUntil: ContinuousClock.Instant?

        while !active.isEmpty {
            if stopRequested.load(ordering: .relaxed) {
                // A live capture still reads what the kernel queued before the stop: those packets
                // were on the wire while we measured. A flood cannot hold the stop off past a second.
                guard live != nil else { break }
                let until = drainUntil ?? ContinuousClock.now + .seconds(1)
                drainUntil = until
                if ContinuousClock.now >= until { break }
            }
            if let limit = options.packetLimit, packets >= limit { break }
            // The file whose current packet is oldest goes next (few files: a scan beats a heap).
            var position = 0
            for candidate in 1..<max(1, active.count)
            where sources[active[candidate]].timestampNanos < sources[active[position]].timestampNanos {
                position = candidate
            }
            let index = active[position]
            let source = sources[index]
            if let packet = source.packet {
                packets += 1
                let timestamp = source.timestampNanos
                lastTimestamp = max(lastTimestamp, timestamp)
                packetsPerSource[index] += 1
                handle(
                    frame: packet.frame, wireLength: packet.wireLength, timestampNanos: timestamp, decoder: &decoders[index],
                    reassembler: reassembler, health: &health, sink: sink)
                if packets & 0xfff == 0 { publish(health, packets: packets, perSource: packetsPerSource) }
            }
            if let live, ContinuousClock.now - lastLivePublish >= .milliseconds(250) {
                // A live view (`top`) reads the counters while packets still arrive.
                lastLivePublish = ContinuousClock.now
                if let stats = live.statistics() {
                    health.kernelDrops = stats.dropped
                    health.interfaceDrops = stats.interfaceDropped
                }
                publish(health, packets: packets, perSource: packetsPerSource)
                tick?()
            }
            if let deadline, (ContinuousClock.now - startClock).nanoseconds >= deadline { break }
            if !advance(index, source) { active.remove(at: position) }
        }
        reassembler.finish(timestampNanos: lastTimestamp, health: &health, sink: sink)
        if let live, let stats = live.statistics() {
            health.kernelDrops = stats.dropped
            health.interfaceDrops = stats.interfaceDropped
        }
        publish(health, packets: packets, perSource: packetsPerSource)
    }

    /// Moves a source to its next packet; false when it has no more (end, stop or read failure).
    private func advance(_ index: Int, _ source: PcapSource) -> Bool {
        while true {
            switch source.advance() {
            case .packet:
                return true
            case .timeout:
                // After a stop the drain ends at the first quiet wait that began after the kernel's
                // block timeout had passed: a block still filling at the stop is handed over by then.
                if stopRequested.load(ordering: .relaxed) {
                    let now = ContinuousClock.now
                    let stoppedAt = drainStarted ?? now
                    drainStarted = stoppedAt
                    if now - stoppedAt >= .milliseconds(Int64(PcapSource.blockTimeoutMilliseconds) * 4) || !source.isLive { return false }
                    continue
                }
                if source.isLive {
                    // Let the loop check its deadline: a packet-less wake-up is "still active", with no packet.
                    if options.durationSeconds != nil || options.packetLimit != nil || ticking { return true }
                    continue
                }
                return false
            case .end:
                // A live source ends through stop()'s breakloop; what is still queued is read until the
                // first empty read (a timeout, above).
                if source.isLive, stopRequested.load(ordering: .relaxed) { continue }
                return false
            case .failed(let reason):
                let problem = CaptureError.readFailed(path: source.name, packet: source.packetsRead, reason: reason)
                problemsLock.withLock { $0.append(problem) }
                return false
            }
        }
    }

    private func publish(_ health: CaptureHealth, packets: Int, perSource: [Int]) {
        var health = health
        for (index, count) in perSource.enumerated() where count > 0 {
            health.byLinkType[sources[index].linkName, default: 0] += count
        }
        healthLock.withLock { $0 = health }
        packetsProgress.store(packets, ordering: .relaxed)
        bytesProgress.store(sources.reduce(0) { $0 + $1.bytesRead }, ordering: .relaxed)
    }

    @inline(__always)
    private func handle<Sink: StreamSink>(
        frame: ByteView, wireLength: Int, timestampNanos: Int64,
        decoder: inout PacketDecoder, reassembler: TCPReassembler,
        health: inout CaptureHealth, sink: Sink
    ) {
        health.packets += 1
        health.bytes += wireLength
        if frame.count < wireLength { health.truncated += 1 }
        switch decoder.decode(frame, wireLength: wireLength) {
        case .tcp:
            health.tcpSegments += 1
            let packet = decoder.packet
            let payload = frame.extracting(packet.payloadOffset..<(packet.payloadOffset + packet.payloadLength))
            reassembler.process(packet, payload: payload, timestampNanos: timestampNanos, health: &health, sink: sink)
        case .udp:
            health.udpDatagrams += 1
            let packet = decoder.packet
            guard packet.missingLength == 0 else { return }
            let payload = frame.extracting(packet.payloadOffset..<(packet.payloadOffset + packet.payloadLength))
            let sourceIsClient =
                packet.source.port != packet.destination.port
                ? packet.source.port > packet.destination.port : true
            let flow =
                sourceIsClient
                ? FlowID(client: packet.source, server: packet.destination, transport: .udp)
                : FlowID(client: packet.destination, server: packet.source, transport: .udp)
            sink.datagram(
                flow, sourceIsClient ? .clientToServer : .serverToClient, timestampNanos: timestampNanos,
                bytes: payload)
        case .nonIP: health.nonIP += 1
        case .nonTCPUDP: health.nonTCPUDP += 1
        case .fragment: health.fragments += 1
        case .malformed: health.malformed += 1
        case .truncated:
            // Cut inside a header: by snaplen (counted above as truncated) or a header that claims
            // more bytes than the packet has on the wire (malformed).
            if frame.count >= wireLength { health.malformed += 1 }
        case .unsupportedLink: health.unsupportedLinkType += 1
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds &* 1_000_000_000 &+ parts.attoseconds / 1_000_000_000
    }
}
