import HotshardCapture

/// Connects the capture layer to the protocol parsers: picks each flow's protocol (server port,
/// else content), keeps one parser per flow, and hands every completed message to the sink.
public final class TrafficDecoder: StreamSink {
    private enum FlowParser {
        case resp(RESPParser)
        case memcached(MemcachedParser)
        case http(HTTPParser)
        case undetected
        case unsupported
    }

    private let configuration: DecoderConfiguration
    private let sink: MessageSink
    private var parsers: [FlowID: FlowParser] = [:]
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
        for parser in parsers.values {
            switch parser {
            case .resp(let resp): total += resp.health
            case .memcached(let memcached): total += memcached.health
            case .http(let http): total += http.health
            default: break
            }
        }
        return total
    }

    public func streamData(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64,
                           bytes: UnsafeRawBufferPointer) {
        var parser = parsers[flow] ?? choose(flow, direction: direction, firstBytes: bytes)
        // Take the parser out of the table while it works so that mutation does not copy it.
        parsers[flow] = .unsupported
        let sink = self.sink
        switch parser {
        case .resp(var resp):
            parser = .unsupported  // release the enum's copy so `resp` mutates in place, without copy-on-write
            resp.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
            parser = .resp(resp)
        case .memcached(var memcached):
            parser = .unsupported
            memcached.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
            parser = .memcached(memcached)
        case .http(var http):
            parser = .unsupported
            http.feed(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
            parser = .http(http)
        case .undetected:
            if direction == .clientToServer, let chosen = detect(flow, bytes) {
                parser = chosen
                parsers[flow] = parser
                streamData(flow, direction, timestampNanos: timestampNanos, bytes: bytes)
                return
            }
            unparsedBytes += bytes.count
        case .unsupported:
            unparsedBytes += bytes.count
        }
        parsers[flow] = parser
    }

    public func streamGap(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        guard var parser = parsers[flow] else { return }
        parsers[flow] = .unsupported
        let sink = self.sink
        switch parser {
        case .resp(var resp):
            parser = .unsupported
            resp.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
            parser = .resp(resp)
        case .memcached(var memcached):
            parser = .unsupported
            memcached.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
            parser = .memcached(memcached)
        case .http(var http):
            parser = .unsupported
            http.gap(direction, timestampNanos: timestampNanos, length: length) { sink.receive($0) }
            parser = .http(http)
        default:
            break
        }
        parsers[flow] = parser
    }

    public func streamClosed(_ flow: FlowID, timestampNanos: Int64, reason: StreamCloseReason) {
        guard let parser = parsers.removeValue(forKey: flow) else { return }
        let sink = self.sink
        switch parser {
        case .resp(var resp):
            resp.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += resp.health
        case .memcached(var memcached):
            memcached.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += memcached.health
        case .http(var http):
            http.finish(timestampNanos: timestampNanos) { sink.receive($0) }
            closedHealth += http.health
        default:
            break
        }
    }

    /// memcached over UDP: each flow (client port) keeps a parser; datagrams carry the frame header.
    public func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64,
                         bytes: UnsafeRawBufferPointer) {
        guard configuration.ports[flow.server.port] == .memcached else {
            unparsedBytes += bytes.count
            return
        }
        var parser = parsers[flow] ?? make(.memcached, flow: flow)
        parsers[flow] = .unsupported
        let sink = self.sink
        if case .memcached(var memcached) = parser {
            parser = .unsupported
            memcached.datagram(direction, timestampNanos: timestampNanos, bytes: bytes) { sink.receive($0) }
            parser = .memcached(memcached)
        }
        parsers[flow] = parser
    }

    /// Flushes every open flow (end of input).
    public func finish(timestampNanos: Int64) {
        for flow in Array(parsers.keys) {
            streamClosed(flow, timestampNanos: timestampNanos, reason: .endOfInput)
        }
    }

    private func choose(_ flow: FlowID, direction: FlowDirection, firstBytes: UnsafeRawBufferPointer) -> FlowParser {
        if parsers.count >= configuration.maxFlows {
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

    private func detect(_ flow: FlowID, _ bytes: UnsafeRawBufferPointer) -> FlowParser? {
        guard let proto = ProtocolDetector.detect(bytes) else { return nil }
        return make(proto, flow: flow)
    }

    private func make(_ proto: WireProtocol, flow: FlowID) -> FlowParser {
        flowsByProtocol[proto, default: 0] += 1
        switch proto {
        case .resp:
            return .resp(RESPParser(flow: flow, maxPendingRequests: configuration.maxPendingRequests))
        case .memcached:
            return .memcached(MemcachedParser(flow: flow, configuration: configuration))
        case .http:
            return .http(HTTPParser(flow: flow, configuration: configuration))
        }
    }
}
