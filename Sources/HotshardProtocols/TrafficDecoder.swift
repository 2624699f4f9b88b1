import HotshardBytes
import HotshardCapture

/// Connects the capture layer to the protocol parsers: picks each flow's protocol (server port,
/// else content), keeps one parser per flow, and hands every completed message to the sink.
public final class TrafficDecoder: StreamSink {
    /// A flow's parser in a box of its own, so that it is fed in place: one table lookup per
    /// segment, and no copy of the parser's state in and out of the table.
    private final class Box<Parser: ConversationParser> {
        // Unchecked: a box belongs to one flow of one decoder, fed from one thread, and a parser's
        // sink never reaches back into the decoder; the dynamic check held over every `feed` cost
        // a hash-set insert per segment.
        @exclusivity(unchecked) var parser: Parser
        init(_ parser: Parser) { self.parser = parser }
    }

    private enum FlowParser {
        case resp(Box<RESPParser>)
        case memcached(Box<MemcachedParser>)
        case http(Box<HTTPParser>)
        case amqp(Box<AMQPParser>)
        case undetected
        case unsupported
    }

    private let configuration: DecoderConfiguration
    private let sink: MessageSink
    /// TCP flows' parsers by the flow's slot (see `StreamSink`), nil where a slot has none: a
    /// segment's parser is an array read, where a table keyed by `FlowID` hashed the flow a second
    /// time per segment (after the reassembler's own lookup; 3.8 % of `analyze`'s samples).
    /// Unchecked as `Box.parser` is: one thread, and no access spans a call into a parser.
    @exclusivity(unchecked) private var streamParsers: [FlowParser?] = []
    /// The non-nil entries of `streamParsers`.
    private var openStreams = 0
    /// memcached-over-UDP flows' parsers: datagrams come without a slot.
    private var datagramParsers: [FlowID: FlowParser] = [:]
    private var closedHealth = ParserHealth()
    /// Flows by the protocol they were given, and flows no parser took.
    public private(set) var flowsByProtocol: [WireProtocol: Int] = [:]
    public private(set) var undetectedFlows = 0
    public private(set) var flowCapHits = 0
    /// Bytes that arrived for flows whose protocol is not (yet) parsed here.
    public private(set) var unparsedBytes = 0

    public init(configuration: DecoderConfiguration, sink: MessageSink) {
        self.configuration = configuration
        self.sink = sink
    }

    /// Parser health summed over every flow, closed and open.
    public var health: ParserHealth {
        var total = closedHealth
        for parser in streamParsers.compactMap({ $0 }) + datagramParsers.values {
            switch parser {
            case .resp(let box): total += box.parser.health
            case .memcached(let box): total += box.parser.health
            case .http(let box): total += box.parser.health
            case .amqp(let box): total += box.parser.health
            default: break
            }
        }
        return total
    }

    public func streamData(
        _ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64,
        bytes: ByteView
    ) {
        let parser: FlowParser
        if slot < streamParsers.count, let existing = streamParsers[slot] {
            parser = existing
        } else {
            parser = choose(flow, direction: direction, firstBytes: bytes)
            if slot >= streamParsers.count {
                streamParsers.append(contentsOf: repeatElement(nil, count: slot + 1 - streamParsers.count))
            }
            streamParsers[slot] = parser
            openStreams += 1
        }
        let sink = self.sink
        switch parser {
        case .resp(let box):
            box.parser.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
        case .memcached(let box):
            box.parser.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
        case .http(let box):
            box.parser.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
        case .amqp(let box):
            box.parser.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
        case .undetected:
            if direction == .clientToServer, let chosen = detect(flow, bytes) {
                streamParsers[slot] = chosen
                streamData(flow, slot: slot, direction, timestampNanos: timestampNanos, bytes: bytes)
                return
            }
            unparsedBytes += bytes.count
        case .unsupported:
            unparsedBytes += bytes.count
        }
    }

    public func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        guard slot < streamParsers.count, let parser = streamParsers[slot] else { return }
        let sink = self.sink
        switch parser {
        case .resp(let box):
            box.parser.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
        case .memcached(let box):
            box.parser.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
        case .http(let box):
            box.parser.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
        case .amqp(let box):
            box.parser.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
        default:
            break
        }
    }

    public func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason) {
        guard slot < streamParsers.count, let parser = streamParsers[slot] else { return }
        streamParsers[slot] = nil
        openStreams -= 1
        close(parser, timestampNanos: timestampNanos)
    }

    /// Delivers what `parser` still holds and keeps its health.
    private func close(_ parser: FlowParser, timestampNanos: Int64) {
        let sink = self.sink
        switch parser {
        case .resp(let box):
            box.parser.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += box.parser.health
        case .memcached(let box):
            box.parser.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += box.parser.health
        case .http(let box):
            box.parser.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += box.parser.health
        case .amqp(let box):
            box.parser.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += box.parser.health
        default:
            break
        }
    }

    /// memcached over UDP: each flow (client port) keeps a parser; datagrams carry the frame header.
    public func datagram(
        _ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64,
        bytes: ByteView
    ) {
        guard configuration.ports[flow.server.port] == .memcached else {
            unparsedBytes += bytes.count
            return
        }
        let parser: FlowParser
        if let existing = datagramParsers[flow] {
            parser = existing
        } else {
            parser = make(.memcached, flow: flow)
            datagramParsers[flow] = parser
        }
        let sink = self.sink
        if case .memcached(let box) = parser {
            box.parser.datagram(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
        }
    }

    /// Flushes every open flow (end of input): TCP flows by slot, then the UDP flows.
    public func finish(timestampNanos: Int64) {
        let open = streamParsers.compactMap { $0 } + datagramParsers.values
        streamParsers.removeAll()
        openStreams = 0
        datagramParsers.removeAll()
        for parser in open { close(parser, timestampNanos: timestampNanos) }
    }

    private func choose(_ flow: FlowID, direction: FlowDirection, firstBytes: ByteView) -> FlowParser {
        if openStreams + datagramParsers.count >= configuration.maxFlows {
            flowCapHits += 1
            return .unsupported
        }
        if let proto = configuration.ports[flow.server.port] ?? configuration.ports[flow.client.port] {
            return make(proto, flow: flow)
        }
        guard configuration.detectByContent else {
            undetectedFlows += 1
            return .unsupported
        }
        if direction == .clientToServer, let chosen = detect(flow, firstBytes) { return chosen }
        undetectedFlows += 1
        return .undetected
    }

    private func detect(_ flow: FlowID, _ bytes: ByteView) -> FlowParser? {
        guard let proto = ProtocolDetector.detect(bytes) else { return nil }
        return make(proto, flow: flow)
    }

    private func make(_ proto: WireProtocol, flow: FlowID) -> FlowParser {
        flowsByProtocol[proto, default: 0] += 1
        switch proto {
        case .resp:
            return .resp(Box(RESPParser(flow: flow, maxPendingRequests: configuration.maxPendingRequests)))
        case .memcached:
            return .memcached(Box(MemcachedParser(flow: flow, configuration: configuration)))
        case .http:
            return .http(Box(HTTPParser(flow: flow, configuration: configuration)))
        case .amqp:
            return .amqp(Box(AMQPParser(flow: flow, configuration: configuration)))
        }
    }
}
