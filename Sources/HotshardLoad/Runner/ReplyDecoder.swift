import DequeModule
import HotshardCapture
import HotshardProtocols

/// One connection's conversation as the protocol parsers see it: requests are fed as the
/// client-to-server direction when sent, replies as the server-to-client direction when read,
/// and the parser emits each request paired with its reply as a `Message` — the same parsers
/// (`RESPParser`, `MemcachedParser`) that decode captures, so load and analysis agree.
/// HTTP responses are framed by `HTTPResponseReader` until HotshardProtocols has an HTTP parser.
struct ReplyDecoder {
    private struct HTTPPending {
        var command: String
        var key: Key
        var requestBytes: Int
        var sentNanos: Int64
    }

    private let flow: FlowID
    private var resp: RESPParser?
    private var memcached: MemcachedParser?
    private var http: HTTPResponseReader?
    private var httpPending = Deque<HTTPPending>()

    init(wireProtocol: WireProtocol, flow: FlowID) {
        self.flow = flow
        switch wireProtocol {
        case .resp: resp = RESPParser(flow: flow, maxPendingRequests: 1 << 20)
        case .memcached: memcached = MemcachedParser(flow: flow)
        case .http: http = HTTPResponseReader()
        }
    }

    var health: ParserHealth {
        resp?.health ?? memcached?.health ?? ParserHealth()
    }

    /// A request went out. `httpKey` and `command` are used for HTTP only.
    mutating func sent(_ bytes: UnsafeRawBufferPointer, atNanos nanos: Int64, command: String, httpKey: [UInt8]?,
                       emit: (Message) -> Void) {
        if resp != nil {
            resp?.feed(.clientToServer, timestampNanos: nanos, bytes: bytes, emit: emit)
        } else if memcached != nil {
            memcached?.feed(.clientToServer, timestampNanos: nanos, bytes: bytes, emit: emit)
        } else {
            httpPending.append(HTTPPending(command: command, key: Key(httpKey ?? []), requestBytes: bytes.count,
                                           sentNanos: nanos))
        }
    }

    /// Reply bytes arrived. Throws when an HTTP reply is not HTTP (the connection is then closed).
    mutating func received(_ bytes: UnsafeRawBufferPointer, atNanos nanos: Int64,
                           emit: (Message) -> Void) throws(HTTPResponseReader.Failure) {
        if resp != nil {
            resp?.feed(.serverToClient, timestampNanos: nanos, bytes: bytes, emit: emit)
        } else if memcached != nil {
            memcached?.feed(.serverToClient, timestampNanos: nanos, bytes: bytes, emit: emit)
        } else if http != nil {
            var pending = httpPending
            httpPending.removeAll()
            try http?.consume(bytes) { response in
                guard let request = pending.popFirst() else { return }
                let status: ReplyStatus = switch response.status {
                case 200..<400: .ok
                case 404: .miss
                default: .error(kind: String(response.status))
                }
                emit(Message(timestampNanos: request.sentNanos, flow: flow, wireProtocol: .http, command: request.command,
                             operation: request.command == "GET" ? .read : .write,
                             keys: [KeyReference(key: request.key, hit: response.status == 404 ? false : nil)],
                             requestBytes: request.requestBytes, replyBytes: response.bytes, status: status,
                             latencyNanos: max(0, nanos - request.sentNanos)))
            }
            httpPending = pending
        }
    }
}
