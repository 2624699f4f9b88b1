import HotshardBytes

/// Turns TCP segments into in-order byte streams per direction, with explicit gaps.
///
/// - A direction starts at its SYN, or at the first segment seen when the start was not captured.
/// - Out-of-order segments are copied and buffered (per-direction and global caps); everything
///   in order — the common case — is delivered straight from the packet buffer.
/// - Retransmissions and overlaps are delivered once; sequence numbers compare modulo 2³².
/// - A hole becomes a gap event when the peer acknowledges bytes beyond it (they were sent but
///   not captured), when a buffer cap is hit, or when the flow ends.
/// - Orientation: the sender of a SYN is the client; without one, the endpoint with the lower
///   port is taken to be the server (ephemeral client ports are high), ties make the first sender the client.
final class TCPReassembler {
    private let options: CaptureOptions
    private var flows: [FlowKey: TCPFlow] = [:]
    /// Slots of flows removed from `flows`, for the next flows to take (see `StreamSink`).
    private var freeSlots: [Int] = []
    /// Slots handed out so far: every slot is below it.
    private var slotsUsed = 0
    private var flowsCreated = 0
    private var bufferedBytesTotal = 0
    private var nextSweepNanos: Int64 = .min
    private let sweepIntervalNanos: Int64
    private let idleNanos: Int64

    init(options: CaptureOptions) {
        self.options = options
        self.idleNanos = Int64(options.idleTimeoutSeconds * 1e9)
        self.sweepIntervalNanos = max(1_000_000_000, idleNanos / 4)
    }

    /// One decoded TCP packet; `payload` is its captured payload.
    func process<Sink: StreamSink>(
        _ packet: PacketDecoder.Packet, payload: ByteView,
        timestampNanos: Int64, health: inout CaptureHealth, sink: Sink
    ) {
        if timestampNanos >= nextSweepNanos {
            if nextSweepNanos != .min { sweep(now: timestampNanos, health: &health, sink: sink) }
            nextSweepNanos = timestampNanos &+ sweepIntervalNanos
        }
        let key = FlowKey(packet.source, packet.destination)
        let syn = packet.flags & PacketDecoder.syn != 0
        let ackFlag = packet.flags & PacketDecoder.ack != 0
        var flow: TCPFlow
        let existing = flows[key]
        if let existing, !(existing.closed && syn && !ackFlag) {
            flow = existing
        } else {
            if existing == nil, flows.count >= options.maxFlows {
                sweep(now: timestampNanos, health: &health, sink: sink, force: true)
                if flows.count >= options.maxFlows {
                    health.capsHit["flows", default: 0] += 1
                    return
                }
            }
            let sourceIsClient: Bool
            if syn {
                sourceIsClient = !ackFlag
            } else if packet.source.port != packet.destination.port {
                sourceIsClient = packet.source.port > packet.destination.port
            } else {
                sourceIsClient = true
            }
            let id =
                sourceIsClient
                ? FlowID(client: packet.source, server: packet.destination, transport: .tcp)
                : FlowID(client: packet.destination, server: packet.source, transport: .tcp)
            // A new SYN on a closed flow's endpoints replaces it, in its slot (its close was delivered).
            flow = TCPFlow(id: id, order: flowsCreated, slot: existing?.slot ?? takeSlot())
            flowsCreated += 1
            health.flows += 1
            flows[key] = flow
        }
        if flow.closed { return }
        flow.lastSeenNanos = timestampNanos
        let direction: FlowDirection = packet.source == flow.id.client ? .clientToServer : .serverToClient

        if packet.flags & PacketDecoder.rst != 0 {
            close(flow, key: key, reason: .reset, timestampNanos: timestampNanos, health: &health, sink: sink)
            return
        }
        if ackFlag {
            acknowledge(
                flow, peerOf: direction, ack: packet.acknowledgement, timestampNanos: timestampNanos,
                health: &health, sink: sink)
        }
        let state = flow.state(direction)
        let dataSequence = syn ? packet.sequence &+ 1 : packet.sequence
        if !state.started {
            state.started = true
            state.nextSequence = dataSequence
        }
        let fin = packet.flags & PacketDecoder.fin != 0
        if fin {
            state.finSequence = dataSequence &+ UInt32(truncatingIfNeeded: packet.payloadLength + packet.missingLength)
        }
        if packet.payloadLength + packet.missingLength > 0 {
            accept(
                state, flow: flow, direction: direction, sequence: dataSequence, bytes: payload,
                missing: packet.missingLength, timestampNanos: timestampNanos, health: &health, sink: sink)
        }
        if let finSequence = state.finSequence, state.nextSequence == finSequence, state.pending.isEmpty {
            state.finished = true
        }
        if flow.forward.finished && flow.backward.finished {
            close(flow, key: key, reason: .fin, timestampNanos: timestampNanos, health: &health, sink: sink)
        }
    }

    /// End of input: every open flow delivers what it buffered (after a gap) and closes, oldest first.
    func finish<Sink: StreamSink>(timestampNanos: Int64, health: inout CaptureHealth, sink: Sink) {
        let open = flows.filter { !$0.value.closed }.sorted { $0.value.order < $1.value.order }
        for (key, flow) in open {
            close(flow, key: key, reason: .endOfInput, timestampNanos: timestampNanos, health: &health, sink: sink)
        }
        flows.removeAll()
        freeSlots.removeAll()
        slotsUsed = 0
    }

    private func takeSlot() -> Int {
        if let slot = freeSlots.popLast() { return slot }
        slotsUsed += 1
        return slotsUsed - 1
    }

    private func accept<Sink: StreamSink>(
        _ state: TCPDirectionState, flow: TCPFlow, direction: FlowDirection,
        sequence: UInt32, bytes: ByteView, missing: Int,
        timestampNanos: Int64, health: inout CaptureHealth, sink: Sink
    ) {
        let relative = Int(Int32(bitPattern: sequence &- state.nextSequence))
        let length = bytes.count + missing
        if relative + length <= 0 {
            health.retransmitted += 1
            return
        }
        if relative > 0 {
            let size = bytes.count
            if state.pendingBytes + size > options.maxBufferedBytesPerFlow {
                health.capsHit["flowBufferedBytes", default: 0] += 1
                skipToFirstBuffered(
                    state, flow: flow, direction: direction, orAt: sequence,
                    timestampNanos: timestampNanos, health: &health, sink: sink)
                accept(
                    state, flow: flow, direction: direction, sequence: sequence, bytes: bytes, missing: missing,
                    timestampNanos: timestampNanos, health: &health, sink: sink)
                return
            }
            if bufferedBytesTotal + size > options.maxBufferedBytesTotal {
                health.capsHit["bufferedBytes", default: 0] += 1
                skipToFirstBuffered(
                    state, flow: flow, direction: direction, orAt: sequence,
                    timestampNanos: timestampNanos, health: &health, sink: sink)
                accept(
                    state, flow: flow, direction: direction, sequence: sequence, bytes: bytes, missing: missing,
                    timestampNanos: timestampNanos, health: &health, sink: sink)
                return
            }
            health.outOfOrder += 1
            state.insert(
                TCPPendingSegment(
                    sequence: sequence, bytes: [UInt8](bytes), missing: missing,
                    timestampNanos: timestampNanos))
            state.pendingBytes += size
            bufferedBytesTotal += size
            return
        }
        deliverInOrder(
            state, flow: flow, direction: direction, skip: -relative, bytes: bytes, missing: missing,
            timestampNanos: timestampNanos, health: &health, sink: sink)
        drain(state, flow: flow, direction: direction, health: &health, sink: sink)
    }

    /// Delivers a segment that starts at or before `nextSequence`, skipping the `skip` bytes already delivered.
    private func deliverInOrder<Sink: StreamSink>(
        _ state: TCPDirectionState, flow: TCPFlow,
        direction: FlowDirection, skip: Int, bytes: ByteView,
        missing: Int, timestampNanos: Int64, health: inout CaptureHealth,
        sink: Sink
    ) {
        if skip > 0 { health.retransmitted += 1 }
        var skip = skip
        if skip < bytes.count {
            let fresh = bytes.dropping(first: skip)
            sink.streamData(flow.id, slot: flow.slot, direction, timestampNanos: timestampNanos, bytes: fresh)
            state.nextSequence &+= UInt32(truncatingIfNeeded: fresh.count)
            skip = 0
        } else {
            skip -= bytes.count
        }
        let lost = missing - skip
        if lost > 0 {
            health.gaps += 1
            health.gapBytes += lost
            sink.streamGap(flow.id, slot: flow.slot, direction, timestampNanos: timestampNanos, length: lost)
            state.nextSequence &+= UInt32(truncatingIfNeeded: lost)
        }
    }

    private func drain<Sink: StreamSink>(
        _ state: TCPDirectionState, flow: TCPFlow, direction: FlowDirection,
        health: inout CaptureHealth, sink: Sink
    ) {
        while let first = state.pending.first {
            let relative = Int(Int32(bitPattern: first.sequence &- state.nextSequence))
            if relative > 0 { return }
            state.pending.removeFirst()
            state.pendingBytes -= first.bytes.count
            bufferedBytesTotal -= first.bytes.count
            if relative + first.bytes.count + first.missing <= 0 {
                health.retransmitted += 1
                continue
            }
            first.bytes.withByteView { bytes in
                deliverInOrder(
                    state, flow: flow, direction: direction, skip: -relative, bytes: bytes,
                    missing: first.missing, timestampNanos: first.timestampNanos, health: &health,
                    sink: sink)
            }
        }
    }

    /// Declares the hole before the first buffered segment (or before `sequence`) a gap and delivers what follows.
    private func skipToFirstBuffered<Sink: StreamSink>(
        _ state: TCPDirectionState, flow: TCPFlow,
        direction: FlowDirection, orAt sequence: UInt32?,
        timestampNanos: Int64, health: inout CaptureHealth,
        sink: Sink
    ) {
        var target = state.pending.first?.sequence ?? sequence
        if let sequence, let current = target,
            Int32(bitPattern: sequence &- current) < 0
        {
            target = sequence
        }
        guard let target else { return }
        let hole = Int(Int32(bitPattern: target &- state.nextSequence))
        if hole > 0 {
            health.gaps += 1
            health.gapBytes += hole
            sink.streamGap(flow.id, slot: flow.slot, direction, timestampNanos: timestampNanos, length: hole)
            state.nextSequence = target
        }
        drain(state, flow: flow, direction: direction, health: &health, sink: sink)
    }

    /// The peer acknowledged up to `ack`: bytes before it that we hold no copy of were lost to the capture.
    private func acknowledge<Sink: StreamSink>(
        _ flow: TCPFlow, peerOf direction: FlowDirection, ack: UInt32,
        timestampNanos: Int64, health: inout CaptureHealth, sink: Sink
    ) {
        let peerDirection: FlowDirection = direction == .clientToServer ? .serverToClient : .clientToServer
        let peer = flow.state(peerDirection)
        guard peer.started, !peer.pending.isEmpty else { return }
        var limit = ack
        if let finSequence = peer.finSequence, ack == finSequence &+ 1 { limit = finSequence }
        guard let first = peer.pending.first,
            Int32(bitPattern: limit &- peer.nextSequence) > 0,
            Int32(bitPattern: limit &- first.sequence) >= 0
        else { return }
        skipToFirstBuffered(
            peer, flow: flow, direction: peerDirection, orAt: nil, timestampNanos: timestampNanos,
            health: &health, sink: sink)
    }

    private func close<Sink: StreamSink>(
        _ flow: TCPFlow, key: FlowKey, reason: StreamCloseReason,
        timestampNanos: Int64, health: inout CaptureHealth, sink: Sink
    ) {
        guard !flow.closed else { return }
        for direction in [FlowDirection.clientToServer, .serverToClient] {
            let state = flow.state(direction)
            while !state.pending.isEmpty {
                skipToFirstBuffered(
                    state, flow: flow, direction: direction, orAt: nil,
                    timestampNanos: timestampNanos, health: &health, sink: sink)
            }
        }
        flow.closed = true
        sink.streamClosed(flow.id, slot: flow.slot, timestampNanos: timestampNanos, reason: reason)
    }

    private func sweep<Sink: StreamSink>(now: Int64, health: inout CaptureHealth, sink: Sink, force: Bool = false) {
        var expired: [(FlowKey, TCPFlow)] = []
        for (key, flow) in flows where flow.closed || now &- flow.lastSeenNanos > idleNanos {
            expired.append((key, flow))
        }
        expired.sort { $0.1.order < $1.1.order }
        for (key, flow) in expired {
            if !flow.closed {
                close(
                    flow, key: key, reason: force ? .evicted : .idleTimeout, timestampNanos: now, health: &health,
                    sink: sink)
            }
            flows[key] = nil
            freeSlots.append(flow.slot)
        }
    }
}

/// A flow's key independent of direction: the two endpoints in a fixed order.
struct FlowKey: Hashable {
    let low: Endpoint
    let high: Endpoint

    /// Whole words only, and the upper address halves only when set (IPv6): the synthesized hash
    /// fed every field, its ports and flags a byte or two at a time through the hasher's tail
    /// buffer, for the one flow-table lookup of every segment. Equality still compares every field.
    func hash(into hasher: inout Hasher) {
        hasher.combine(low.addressLow)
        hasher.combine(high.addressLow)
        let flags: UInt64 = (low.isIPv6 ? 1 : 0) | (high.isIPv6 ? 2 : 0)
        hasher.combine(UInt64(low.port) << 32 | UInt64(high.port) << 8 | flags)
        if low.addressHigh | high.addressHigh != 0 {
            hasher.combine(low.addressHigh)
            hasher.combine(high.addressHigh)
        }
    }

    /// What `Dictionary` hashes the key with: the default runs SipHash over what `hash(into:)`
    /// feeds it, for the flow-table lookup of every segment (149 of ~1,900 samples of `analyze`'s
    /// reader thread on the bench capture; 30 with this).
    /// Three multiply-folds of the same words, keyed by the table's per-instance seed, spread as
    /// well for a hash table and keep the seed's defence against keys chosen to collide.
    func _rawHashValue(seed: Int) -> Int {
        let flags: UInt64 = (low.isIPv6 ? 1 : 0) | (high.isIPv6 ? 2 : 0)
        let ports = UInt64(low.port) << 32 | UInt64(high.port) << 8 | flags
        let seed = UInt64(bitPattern: Int64(seed))
        let addresses = multiplyFold(low.addressLow ^ seed, high.addressLow ^ 0xe703_7ed1_a0b4_28db)
        let upper = multiplyFold(low.addressHigh ^ 0x8ebc_6af0_9c88_c6e3, high.addressHigh ^ 0x5899_65cc_7537_4cc3)
        return Int(truncatingIfNeeded: multiplyFold(addresses ^ ports, upper ^ seed ^ 0xa076_1d64_78bd_642f))
    }

    init(_ a: Endpoint, _ b: Endpoint) {
        if (a.addressHigh, a.addressLow, a.port) <= (b.addressHigh, b.addressLow, b.port) {
            low = a; high = b
        } else {
            low = b; high = a
        }
    }
}

final class TCPFlow {
    let id: FlowID
    let order: Int
    /// The flow's slot while it is in the table (see `StreamSink`).
    let slot: Int
    let forward = TCPDirectionState()
    let backward = TCPDirectionState()
    var lastSeenNanos: Int64 = 0
    var closed = false

    init(id: FlowID, order: Int, slot: Int) {
        self.id = id
        self.order = order
        self.slot = slot
    }

    func state(_ direction: FlowDirection) -> TCPDirectionState {
        direction == .clientToServer ? forward : backward
    }

}

final class TCPDirectionState {
    var started = false
    var nextSequence: UInt32 = 0
    var finSequence: UInt32?
    var finished = false
    // Unchecked: the reassembler's thread alone touches it, and no access spans a sink call.
    @exclusivity(unchecked) var pending: [TCPPendingSegment] = []
    var pendingBytes = 0

    /// Keeps `pending` ordered by sequence (relative to `nextSequence`, so wrap-around sorts right).
    func insert(_ segment: TCPPendingSegment) {
        let base = nextSequence
        let key = Int32(bitPattern: segment.sequence &- base)
        var index = pending.count
        while index > 0, Int32(bitPattern: pending[index - 1].sequence &- base) > key {
            index -= 1
        }
        pending.insert(segment, at: index)
    }
}

struct TCPPendingSegment {
    let sequence: UInt32
    let bytes: [UInt8]
    let missing: Int
    let timestampNanos: Int64
}
