import HotshardBytes
import HotshardCapture
import HotshardProtocols

/// One connection's conversation as the protocol parsers see it: requests are fed as the
/// client-to-server direction when sent, replies as the server-to-client direction when read,
/// and the parser emits each request paired with its reply as a `Message` — the same parsers
/// (`RESPParser`, `MemcachedParser`, `HTTPParser`, `AMQPParser`) that decode captures, so load and analysis agree.
struct ReplyDecoder {
    // One of the four is set; optionals (not an enum with payloads) so that `?.feed` mutates in place.
    private var resp: RESPParser?
    private var memcached: MemcachedParser?
    private var http: HTTPParser?
    private var amqp: AMQPParser?
    /// Parse errors seen so far: a reply that raises them is not the protocol spoken.
    private var parseErrors = 0

    /// `httpKey`: what names an HTTP request's key (the path, or the path with its query when the
    /// profile puts the key in the query).
    init(wireProtocol: WireProtocol, flow: FlowID, httpKey: HTTPKeyMode = .path) {
        switch wireProtocol {
        case .resp: resp = RESPParser(flow: flow, maxPendingRequests: 1 << 20)
        case .memcached: memcached = MemcachedParser(flow: flow)
        case .http:
            var configuration = DecoderConfiguration()
            configuration.httpKey = httpKey
            http = HTTPParser(flow: flow, configuration: configuration)
        case .amqp:
            // Publishes keyed by routing key; with confirms each comes out with the broker's
            // basic.ack / nack for its sequence number (in whatever order they come, `multiple`
            // settling several), without them as soon as its last body byte is sent (status `noReply`).
            var configuration = DecoderConfiguration()
            configuration.maxPendingRequests = 1 << 20
            amqp = AMQPParser(flow: flow, configuration: configuration)
        }
    }

    var health: ParserHealth {
        resp?.health ?? memcached?.health ?? http?.health ?? amqp?.health ?? ParserHealth()
    }

    /// Requests went out (one or more, whole). `emit` gets requests that expect no reply (memcached
    /// noreply, CLIENT REPLY OFF) once the requests before them are answered.
    mutating func sent(_ bytes: ByteView, atNanos nanos: Int64, emit: (inout Message) -> Void = { _ in }) {
        feed(.clientToServer, bytes, atNanos: nanos, emit: emit)
    }

    /// Reply bytes arrived; `emit` gets each request paired with its reply. Returns false when the
    /// bytes did not parse (the server does not speak the protocol; the connection is then closed).
    mutating func received(_ bytes: ByteView, atNanos nanos: Int64, emit: (inout Message) -> Void) -> Bool {
        feed(.serverToClient, bytes, atNanos: nanos, emit: emit)
        let errors = health.parseErrors
        defer { parseErrors = errors }
        return errors == parseErrors
    }

    private mutating func feed(
        _ direction: FlowDirection, _ bytes: ByteView, atNanos nanos: Int64,
        emit: (inout Message) -> Void
    ) {
        resp?.feed(direction, timestampNanos: nanos, bytes: bytes, emit: emit)
        memcached?.feed(direction, timestampNanos: nanos, bytes: bytes, emit: emit)
        http?.feed(direction, timestampNanos: nanos, bytes: bytes, emit: emit)
        amqp?.feed(direction, timestampNanos: nanos, bytes: bytes, emit: emit)
    }
}
