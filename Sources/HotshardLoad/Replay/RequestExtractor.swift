import DequeModule
import HotshardBytes
import HotshardCapture
import HotshardProtocols

/// Sits between the capture and the `TrafficDecoder`: keeps each flow's client→server bytes and,
/// as each request's message comes out of the parsers, cuts the request's exact bytes at the
/// message's `requestOffset`. A message may come before all of its bytes did (a request body
/// still arriving when the reply began); it then waits for them.
///
/// Memory: bytes before the end of the last request cut are dropped at once; a flow keeps at most
/// `maxBytesPerFlow`, and all flows together at most `maxBytesTotal` (the flow that grows past
/// either loses its oldest bytes, and the requests in them are skipped as `bufferCap`).
/// Gaps are kept as holes, so offsets stay true; a request across a hole is `incomplete`.
public final class RequestExtractor: StreamSink, MessageSink {
    /// Bytes of one flow that arrived without a hole, from stream offset `offset` on.
    private struct Chunk {
        /// Stream offset of `bytes[start]`, the first byte still held.
        var offset: Int
        var bytes: [UInt8]
        /// Bytes before this index are released. A request cut used to remove them at once, which
        /// moved the rest of the chunk each time: a client that pipelines deeply (`redis-cli --pipe`)
        /// keeps megabytes in one chunk, and memmove took a quarter of its replay. They are removed
        /// only once they are as many as the bytes still held, so each byte moves once on average
        /// and the array is at most twice the bytes held.
        var start = 0
        var count: Int { bytes.count - start }
        var end: Int { offset + count }

        init(offset: Int, bytes: [UInt8]) {
            self.offset = offset
            self.bytes = bytes
        }

        /// `bytes[start + range]`: `range` counts from the first byte held.
        func held(_ range: Range<Int>) -> ArraySlice<UInt8> {
            bytes[(start + range.lowerBound)..<(start + range.upperBound)]
        }

        /// Gives up the first `count` bytes held.
        mutating func release(_ count: Int) {
            start += count
            offset += count
            if start >= bytes.count - start {
                bytes.removeFirst(start)
                start = 0
            }
        }
    }

    private final class FlowBytes {
        let flow: FlowID
        /// The reassembler's slot of the flow (nil: a datagram flow, which has none).
        let slot: Int?
        var chunks = Deque<Chunk>()
        /// Stream offset of the next byte (gaps included).
        var end = 0
        /// Bytes before this offset are gone.
        var floor = 0
        var messages = Deque<Message>()
        var connection: Int?
        /// Whether the decoder parses this flow (as it decides: port, else content).
        var parsed: Bool?
        var held: Int { chunks.reduce(0) { $0 + $1.count } }

        init(flow: FlowID, slot: Int?) {
            self.flow = flow
            self.slot = slot
        }
    }

    public let maxBytesPerFlow: Int
    public let maxBytesTotal: Int
    /// Bytes held over all flows, now and at most so far.
    public private(set) var heldBytes = 0
    public private(set) var peakHeldBytes = 0
    private var flows: [FlowID: FlowBytes] = [:]
    /// The TCP flows by their reassembler slot: a segment finds its flow's state without hashing
    /// the flow id, which `flows` (still the table of record, and the only one for datagrams) does.
    private var bySlot: [FlowBytes?] = []
    private let configuration: DecoderConfiguration
    private var decoder: TrafficDecoder?
    private var nextConnection = 0
    private let output: (consuming CapturedRequest) -> Void
    /// Requests not extracted, by reason.
    public private(set) var skipped: [SkipReason: Int] = [:]
    /// Latest capture timestamp seen (any packet event).
    public private(set) var clockNanos: Int64 = .min
    /// First capture timestamp seen.
    public private(set) var firstNanos: Int64?

    /// `output` gets each request in the order its message came out of the parsers (per flow: request order).
    public init(
        configuration: DecoderConfiguration, maxBytesPerFlow: Int = 16 << 20, maxBytesTotal: Int = 256 << 20,
        output: @escaping (consuming CapturedRequest) -> Void
    ) {
        self.maxBytesPerFlow = max(1, maxBytesPerFlow)
        self.maxBytesTotal = max(1, maxBytesTotal)
        self.output = output
        self.configuration = configuration
        self.decoder = nil
        self.decoder = TrafficDecoder(configuration: configuration, sink: self)
    }

    /// The decoder's health and flow counts.
    public var trafficDecoder: TrafficDecoder? { decoder }

    private func tick(_ nanos: Int64) {
        if firstNanos == nil { firstNanos = nanos }
        if nanos > clockNanos { clockNanos = nanos }
    }

    /// The flow looked up last: a packet's bytes, its messages and the next packet of the same
    /// flow find its state without hashing the flow id again.
    private var recentFlow: FlowID?
    private var recentState: FlowBytes?

    /// `slot`: the flow's reassembler slot, when the event came with one.
    private func lookUp(_ flow: FlowID, slot: Int? = nil) -> FlowBytes? {
        if let recentState, recentFlow == flow { return recentState }
        let found: FlowBytes
        if let slot, slot < bySlot.count, let held = bySlot[slot], held.flow == flow {
            found = held
        } else if let held = flows[flow] {
            found = held
        } else {
            return nil
        }
        recentFlow = flow
        recentState = found
        return found
    }

    private func forget(_ flow: FlowID) -> FlowBytes? {
        if recentFlow == flow {
            recentFlow = nil
            recentState = nil
        }
        guard let state = flows.removeValue(forKey: flow) else { return nil }
        if let slot = state.slot, slot < bySlot.count, bySlot[slot] === state { bySlot[slot] = nil }
        return state
    }

    private func flowBytes(_ flow: FlowID, slot: Int?) -> FlowBytes {
        if let existing = lookUp(flow, slot: slot) { return existing }
        let made = FlowBytes(flow: flow, slot: slot)
        flows[flow] = made
        if let slot, slot >= 0 {
            if slot >= bySlot.count { bySlot.append(contentsOf: repeatElement(nil, count: slot + 1 - bySlot.count)) }
            bySlot[slot] = made
        }
        recentFlow = flow
        recentState = made
        return made
    }

    private func append(_ state: FlowBytes, _ bytes: ByteView) {
        let flow = state.flow
        if state.parsed == nil || state.parsed == false {
            // Keep bytes only of flows the decoder parses (decided as it does), so others cost nothing.
            if configuration.ports[flow.server.port] != nil || configuration.ports[flow.client.port] != nil
                || (configuration.detectByContent && ProtocolDetector.detect(bytes) != nil)
            {
                // A flow detected late: its parser's stream starts here, as the decoder's does.
                if state.parsed == false {
                    state.end = 0
                    state.floor = 0
                }
                state.parsed = true
            } else {
                state.parsed = false
                state.end += bytes.count
                state.floor = state.end
                return
            }
        }
        if let last = state.chunks.last, last.end == state.end {
            state.chunks[state.chunks.count - 1].bytes.append(contentsOf: bytes)
        } else {
            state.chunks.append(Chunk(offset: state.end, bytes: Array(bytes)))
        }
        state.end += bytes.count
        heldBytes += bytes.count
        // The caps: drop this flow's oldest bytes (requests in them will be skipped as bufferCap).
        let held = state.held
        let keep = min(maxBytesPerFlow, max(0, maxBytesTotal - (heldBytes - held)))
        if held > keep { dropOldest(state, held: held, keep: keep) }
        peakHeldBytes = max(peakHeldBytes, heldBytes)
    }

    private func dropOldest(_ state: FlowBytes, held: Int, keep: Int) {
        var held = held
        while held > keep, let first = state.chunks.first {
            let drop = min(first.count, held - keep)
            if drop == first.count {
                state.chunks.removeFirst()
            } else {
                state.chunks[0].release(drop)
            }
            state.floor = max(state.floor, first.offset + drop)
            held -= drop
            heldBytes -= drop
        }
    }

    // MARK: StreamSink

    public func streamData(
        _ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64,
        bytes: ByteView
    ) {
        tick(timestampNanos)
        // Looked up before the decoder runs, so that the messages it gives back find the flow at once.
        let state = direction == .clientToServer ? flowBytes(flow, slot: slot) : lookUp(flow, slot: slot)
        if direction == .clientToServer, let state { append(state, bytes) }
        decoder?.streamData(flow, slot: slot, direction, timestampNanos: timestampNanos, bytes: bytes)
        if direction == .clientToServer, let state, !state.messages.isEmpty { drain(state) }
    }

    public func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        tick(timestampNanos)
        let state = direction == .clientToServer ? flowBytes(flow, slot: slot) : lookUp(flow, slot: slot)
        if direction == .clientToServer, let state { state.end += max(0, length) }
        decoder?.streamGap(flow, slot: slot, direction, timestampNanos: timestampNanos, length: length)
        if direction == .clientToServer, let state, !state.messages.isEmpty { drain(state) }
    }

    public func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason) {
        tick(timestampNanos)
        decoder?.streamClosed(flow, slot: slot, timestampNanos: timestampNanos, reason: reason)
        if let state = forget(flow) {
            drain(state)
            skip(.incomplete, state.messages.count)
            heldBytes -= state.held
        }
    }

    public func datagram(
        _ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64,
        bytes: ByteView
    ) {
        tick(timestampNanos)
        // memcached over UDP: the parser's stream is the payloads after their 8-byte frame headers.
        if direction == .clientToServer, bytes.count > 8 {
            append(flowBytes(flow, slot: nil), bytes.dropping(first: 8))
        }
        decoder?.datagram(flow, direction, timestampNanos: timestampNanos, bytes: bytes)
        if direction == .clientToServer, let state = lookUp(flow), !state.messages.isEmpty { drain(state) }
    }

    /// End of input: flushes the decoder's open flows and every waiting message.
    public func finish() {
        decoder?.finish(timestampNanos: clockNanos == .min ? 0 : clockNanos)
        for state in flows.values {
            drain(state)
            skip(.incomplete, state.messages.count)
        }
        flows.removeAll()
        bySlot.removeAll()
        recentFlow = nil
        recentState = nil
        heldBytes = 0
    }

    // MARK: MessageSink

    public func receive(_ message: Message) {
        guard let state = lookUp(message.flow) else {
            // A message after its flow's bytes were released (cannot happen for TCP; counted if it does).
            skip(.incomplete, 1)
            return
        }
        // Nearly always the bytes are here and nothing waits before it: cut at once, without queueing.
        if state.messages.isEmpty {
            if let waiting = cut(message, state) { state.messages.append(waiting) }
            return
        }
        state.messages.append(message)
        drain(state)
    }

    /// Cuts every waiting message whose bytes are all here, in order; stops at the first still arriving.
    private func drain(_ state: FlowBytes) {
        // Each message is moved out once; the rare one whose bytes are still arriving goes back.
        while !state.messages.isEmpty {
            let message = state.messages.removeFirst()
            if let waiting = cut(message, state) {
                state.messages.prepend(waiting)
                return
            }
        }
    }

    /// Cuts the request of `message` (or skips it, counted). A message whose bytes are still
    /// arriving comes back, to wait. Consuming: the message moves on into the request.
    private func cut(_ message: consuming Message, _ state: FlowBytes) -> Message? {
        var length = message.requestBytes
        if message.wireProtocol == .amqp {
            // A publish is cut as its method frame alone (exchange, routing key, flags; its
            // length in its frame header): replay sends content of the body's size
            // (`requestBytes`) after it. Other AMQP messages are not replayed.
            guard message.command == "basic.publish", let offset = message.requestOffset else {
                skip(.notPublish, 1)
                return nil
            }
            guard let frame = Self.frameLength(state, at: offset) else {
                skip(offset < state.floor ? .bufferCap : .incomplete, 1)
                return nil
            }
            length = frame
        }
        guard let offset = message.requestOffset, length > 0 else {
            skip(.incomplete, 1)
            return nil
        }
        let end = offset + length
        if end > state.end { return message }
        guard offset >= state.floor else {
            skip(.bufferCap, 1)
            return nil
        }
        guard let chunk = state.chunks.first(where: { $0.offset <= offset && end <= $0.end }) else {
            skip(.incomplete, 1)
            release(state, before: end)
            return nil
        }
        let bytes = Array(chunk.held((offset - chunk.offset)..<(end - chunk.offset)))
        release(state, before: end)
        guard Self.looksLike(message, bytes) else {
            skip(.unrecognised, 1)
            return nil
        }
        let connection: Int
        if let known = state.connection {
            connection = known
        } else {
            connection = nextConnection
            nextConnection += 1
            state.connection = connection
        }
        output(CapturedRequest(message: message, bytes: bytes, connection: connection))
        return nil
    }

    /// The whole length (header, payload, end octet) of the AMQP frame at `offset`, read from its
    /// 7-byte header when that is held in one chunk; nil otherwise.
    private static func frameLength(_ state: FlowBytes, at offset: Int) -> Int? {
        guard offset >= state.floor,
            let chunk = state.chunks.first(where: { $0.offset <= offset && offset + 7 <= $0.end })
        else { return nil }
        let start = offset - chunk.offset
        let header = chunk.held(start..<(start + 7))
        let size = header.dropFirst(3).reduce(0) { $0 << 8 | Int($1) }
        return size + 8
    }

    /// Requests come out in order: bytes before the end of one cut are not needed again.
    private func release(_ state: FlowBytes, before offset: Int) {
        state.floor = max(state.floor, offset)
        while let first = state.chunks.first, first.offset < offset {
            if first.end <= offset {
                state.chunks.removeFirst()
                heldBytes -= first.count
            } else {
                heldBytes -= offset - first.offset
                state.chunks[0].release(offset - first.offset)
                break
            }
        }
    }

    private func skip(_ reason: SkipReason, _ count: Int) {
        guard count > 0 else { return }
        skipped[reason, default: 0] += count
    }

    /// A cheap check that the bytes at the offset are this request: RESP arrays start with `*`,
    /// memcached binary with 0x80, text protocols with their command.
    static func looksLike(_ message: Message, _ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first else { return false }
        switch message.wireProtocol {
        case .resp:
            return first == UInt8(ascii: "*") || (first > 0x20 && first < 0x7f)
        case .memcached:
            if first == 0x80 { return true }
            return startsWithWord(bytes, message.command)
        case .http:
            return startsWithWord(bytes, message.command)
        case .amqp:
            return first == 1  // a method frame
        }
    }

    private static func startsWithWord(_ bytes: [UInt8], _ command: String) -> Bool {
        let word = Array(command.utf8)
        guard bytes.count > word.count else { return false }
        for (byte, expected) in zip(bytes, word) {
            let lowered = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            let wanted = expected >= 0x41 && expected <= 0x5a ? expected | 0x20 : expected
            if lowered != wanted { return false }
        }
        let next = bytes[word.count]
        return next == 0x20 || next == 0x0d || next == 0x0a
    }
}
