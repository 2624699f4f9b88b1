import HotshardCapture

/// The wire protocol a flow speaks.
public enum WireProtocol: String, Sendable, Codable, CaseIterable {
    case resp
    case memcached
    case http
    case amqp
}

/// What a command does to its keys (from the server's own command flags where it has them).
public enum OperationClass: String, Sendable, Codable {
    case read
    case write
    case other
}

/// How a request was answered.
public enum ReplyStatus: Sendable, Hashable {
    /// Answered with a value or success.
    case ok
    /// A read that found nothing (nil bulk, memcached END without VALUE, HTTP 404).
    case miss
    /// An error reply; `kind` is the error's first word (`ERR`, `WRONGTYPE`, `MOVED`, `ASK`,
    /// `SERVER_ERROR`, `5xx`, …).
    case error(kind: ErrorKind)
    /// No reply was seen (capture ended, gap, or the client asked for none: noreply, CLIENT REPLY OFF).
    case noReply

    /// `ok`, `miss`, `error` or `noReply`: the result document's `byStatus` names.
    public var name: String {
        switch self {
        case .ok: "ok"
        case .miss: "miss"
        case .error: "error"
        case .noReply: "noReply"
        }
    }
}

/// One key a request named, with what the reply said about that key when the reply
/// answers keys one by one (MGET, memcached multi-get); otherwise the message's status applies.
public struct KeyReference: Sendable, Hashable {
    public var key: Key
    /// Per-key outcome when known (hit/miss of one key in a multi-get); nil otherwise.
    public var hit: Bool?
    /// The key's number in a key space the sender enumerated (`load`'s generator knows it), or -1.
    /// Lets the analyzer count the key in a flat array by number instead of finding it by hash
    /// (`KeyIndexSpace`). Not part of equality: it names the key, it does not add to it. Held in
    /// the padding after `hit`, so the reference stays 64 bytes.
    public var index: Int32
    /// Bytes of this key's value in the reply, when the reply carries one per key.
    public var valueBytes: Int

    public init(key: Key, hit: Bool? = nil, valueBytes: Int = 0, index: Int32 = -1) {
        self.key = key
        self.hit = hit
        self.index = index
        self.valueBytes = valueBytes
    }

    public static func == (lhs: KeyReference, rhs: KeyReference) -> Bool {
        lhs.key == rhs.key && lhs.hit == rhs.hit && lhs.valueBytes == rhs.valueBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(hit)
        hasher.combine(valueBytes)
    }
}

/// One request and, once paired, its reply: the unit everything downstream of the parsers sees.
public struct Message: Sendable {
    /// When the request's first byte was seen (ns since the Unix epoch).
    public var timestampNanos: Int64
    public var flow: FlowID
    public var wireProtocol: WireProtocol
    /// Upper-cased command or method (`GET`, `MGET`, `get`→`GET`, `POST`); memcached binary
    /// opcodes by their name (`GETKQ`).
    public var command: String
    public var operation: OperationClass
    /// Every key the request names, in request order (a 5-key MGET has five).
    public var keys: KeyList
    public var requestBytes: Int
    public var replyBytes: Int
    public var status: ReplyStatus
    /// From the request's last byte to the reply's first byte, in ns; nil when no reply was paired.
    public var latencyNanos: Int64?
    /// Where the request's first byte lies in its client→server stream (bytes from the flow's
    /// start, lost bytes of gaps included; UDP: the datagrams' payloads after their frame
    /// headers, one after another); nil when the source has no stream.
    public var requestOffset: Int?
    /// AMQP publisher confirms: the publish's sequence number on its channel (the delivery tag of
    /// the basic.ack / basic.nack that confirms it), its low 32 bits; 0 for every other message.
    /// The broker may confirm publishes out of order, so `load` pairs a confirmed publish with its
    /// own request by this number, not by arrival order. 32 bits tell apart the publishes in flight
    /// on a channel (far fewer than 2^32) and fit the padding after `requestOffset`, so a message
    /// stays 232 bytes.
    public var publishSequence: UInt32 = 0

    public init(
        timestampNanos: Int64,
        flow: FlowID,
        wireProtocol: WireProtocol,
        command: String,
        operation: OperationClass,
        keys: KeyList,
        requestBytes: Int,
        replyBytes: Int = 0,
        status: ReplyStatus = .noReply,
        latencyNanos: Int64? = nil,
        requestOffset: Int? = nil
    ) {
        self.timestampNanos = timestampNanos
        self.flow = flow
        self.wireProtocol = wireProtocol
        self.command = command
        self.operation = operation
        self.keys = keys
        self.requestBytes = requestBytes
        self.replyBytes = replyBytes
        self.status = status
        self.latencyNanos = latencyNanos
        self.requestOffset = requestOffset
    }
}

extension Message {
    /// A message of `flow` with nothing in it: what a parser's queue of pending requests starts from.
    static func blank(flow: FlowID, wireProtocol: WireProtocol) -> Message {
        Message(
            timestampNanos: 0, flow: flow, wireProtocol: wireProtocol, command: "", operation: .other,
            keys: KeyList(), requestBytes: 0)
    }
}

/// Receives the messages a decoder produces, in the order their requests were seen per flow.
public protocol MessageSink: AnyObject {
    func receive(_ message: Message)
    /// Messages in order; a sink that can look ahead (the analyzer prefetches) takes them together.
    func receive(contentsOf messages: [Message])
}

extension MessageSink {
    public func receive(contentsOf messages: [Message]) {
        for message in messages { receive(message) }
    }
}
