import HotshardBytes
import HotshardCapture

/// HTTP/1.1 conversations: requests and replies framed by Content-Length or chunked transfer
/// encoding (with trailers), replies without a body (HEAD, 1xx, 204, 304), bodies until close,
/// pipelining (replies pair in order), `Expect: 100-continue` (the interim 100 is not the
/// answer), and a stop at a protocol switch (101, or 2xx to CONNECT). GET and HEAD are reads;
/// POST, PUT, PATCH and DELETE writes. 2xx/3xx are ok, 404 a miss, other 4xx/5xx errors.
public struct HTTPParser: ConversationParser {
    fileprivate enum State {
        case startLine
        case headers
        /// Chunked body: expecting a chunk-size line.
        case chunkSize
        /// After the last chunk: trailer lines until an empty one.
        case trailers
        /// A reply whose body runs until the connection closes.
        case untilClose
        /// The flow switched protocols: nothing more is parsed.
        case switched
    }

    fileprivate struct Direction {
        var state = State.startLine
        var headerCount = 0
        var contentLength: Int?
        var chunked = false
        var bytes = 0
        var firstNanos: Int64 = 0
        /// Where the message's start line begins in this direction's stream.
        var streamOffset = 0
        // Request fields.
        var method = ""
        var operation = OperationClass.other
        /// The key, found from the start line when the key mode needs no header.
        var key: Key?
        /// The target, kept for the key only when the key mode needs headers too.
        var target: [UInt8] = []
        var host: [UInt8]?
        var keyHeader: [UInt8]?
        // Reply fields.
        var statusCode = 0

        /// A new message's start line was read: everything of the previous one is dropped, and the
        /// target's storage kept (a fresh direction allocated it for every request).
        mutating func begin(bytes: Int, firstNanos: Int64) {
            state = .headers
            headerCount = 0
            contentLength = nil
            chunked = false
            self.bytes = bytes
            self.firstNanos = firstNanos
            streamOffset = 0
            method = ""
            operation = .other
            key = nil
            if !target.isEmpty { target.removeAll(keepingCapacity: true) }
            host = nil
            keyHeader = nil
            statusCode = 0
        }
    }

    /// A request waiting for its reply, already the message it will be emitted as (built once and
    /// moved, as in the RESP parser).
    private struct Pending {
        var message: Message
        var lastNanos: Int64
    }

    static let maxHeaders = 256
    private let flow: FlowID
    private let keyMode: HTTPKeyMode
    /// The lowercased header that names the key (`--http-key header:NAME`), if any.
    private let keyHeaderName: [UInt8]?
    private let maxPending: Int
    private var request = Direction()
    private var reply = Direction()
    /// Kept apart from the directions: a feed moves only the reader out (a direction moved out and
    /// back per feed cost about 200 ns, most of a small reply's parsing).
    private var requestReader = HTTPParser.newReader()
    private var replyReader = HTTPParser.newReader()
    private var lineWords = LineWords()
    private var pending: PendingQueue<Pending>
    private var parserHealth = ParserHealth()
    /// Flows that switched protocol (Upgrade, CONNECT): counted, not parsed further.
    public private(set) var switchedProtocol = false

    public init(flow: FlowID, configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.flow = flow
        self.keyMode = configuration.httpKey
        if case .header(let name) = configuration.httpKey {
            keyHeaderName = Array(name.lowercased().utf8)
        } else {
            keyHeaderName = nil
        }
        self.maxPending = configuration.maxPendingRequests
        pending = PendingQueue(blank: Pending(message: .blank(flow: flow, wireProtocol: .http), lastNanos: 0))
    }

    public var health: ParserHealth {
        var total = parserHealth
        total += requestReader.health
        total += replyReader.health
        return total
    }

    public mutating func feed(
        _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView,
        emit: (inout Message) -> Void
    ) {
        if switchedProtocol { return }
        if direction == .clientToServer {
            // The reader is moved out so that its callbacks may change the rest of the parser; moved,
            // not copied: a copy would share its line buffer, and the next split line would re-allocate it.
            var reader = requestReader
            requestReader = TextStreamReader()
            reader.consume(bytes) { line, wire, end in
                requestLine(line, wire: wire, offset: end - wire, timestampNanos: timestampNanos, emit: emit)
            } onData: { count in
                request.bytes += count
            }
            requestReader = reader
        } else {
            if reply.state == .untilClose {
                reply.bytes += bytes.count
                return
            }
            var reader = replyReader
            replyReader = TextStreamReader()
            reader.consume(bytes) { line, wire, _ in
                replyLine(line, wire: wire, timestampNanos: timestampNanos, emit: emit)
            } onData: { count in
                reply.bytes += count
            }
            replyReader = reader
        }
    }

    private static func newReader() -> TextStreamReader { TextStreamReader(maxLineBytes: 65_536) }

    public mutating func gap(_ direction: FlowDirection, timestampNanos: Int64, length: Int, emit: (inout Message) -> Void) {
        parserHealth.skippedBytes += length
        parserHealth.resyncs += 1
        if direction == .clientToServer {
            request = Direction()
            requestReader.reset()
            requestReader.skip(length)
        } else {
            if reply.state != .startLine, var lost = pending.popFirst() { emit(&lost.message) }
            reply = Direction()
            replyReader.reset()
            replyReader.skip(length)
        }
    }

    public mutating func finish(timestampNanos: Int64, emit: (inout Message) -> Void) {
        if reply.state == .untilClose { completeReply(emit: emit) }
        while var open = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(&open.message)
        }
    }

    // MARK: Requests

    private mutating func requestLine(
        _ line: ByteView, wire: Int, offset: Int,
        timestampNanos: Int64, emit: (inout Message) -> Void
    ) -> Int {
        request.bytes += wire
        switch request.state {
        case .startLine:
            if line.isEmpty { request.bytes -= wire; return 0 }  // stray CRLF between requests
            let parts = lineWords.split(line, limit: 4)
            guard parts.count == 3, line.extracting(parts[2]).hasPrefix("HTTP/1.") else {
                // Not a request line: skip to the next line (resynchronisation).
                parserHealth.parseErrors += 1
                parserHealth.skippedBytes += wire
                request.bytes = 0
                return 0
            }
            request.begin(bytes: wire, firstNanos: timestampNanos)
            request.streamOffset = offset
            (request.method, request.operation) = HTTPMethod.recognise(line.extracting(parts[0]))
            let target = line.extracting(parts[1])
            if keyMode.needsHeaders {
                request.target.append(contentsOf: target)
            } else {
                request.key = keyMode.keyValue(target: target, host: nil) { _ in nil }
            }
        case .headers:
            if line.isEmpty {
                return endOfRequestHeaders(timestampNanos: timestampNanos, emit: emit)
            }
            request.header(line, keyMode: keyMode, keyHeaderName: keyHeaderName, health: &parserHealth)
        case .chunkSize:
            return request.chunkLine(line, health: &parserHealth)
        case .trailers:
            if line.isEmpty { completeRequest(timestampNanos: timestampNanos, emit: emit) }
        case .untilClose, .switched:
            break
        }
        return 0
    }

    private mutating func endOfRequestHeaders(
        timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Int {
        if request.chunked {
            request.state = .chunkSize
            return 0
        }
        let length = request.contentLength ?? 0
        // The body's bytes follow; the request is complete once they are skipped. Pairing only
        // needs the request in the queue before its reply, so it is queued now.
        completeRequest(timestampNanos: timestampNanos, emit: emit)
        return length
    }

    private mutating func completeRequest(timestampNanos: Int64, emit: (inout Message) -> Void) {
        var key = request.key
        if keyMode.needsHeaders {
            let keyHeader = request.keyHeader, host = request.host, keyMode = keyMode
            key = request.target.withByteView { keyMode.keyValue(target: $0, host: host) { _ in keyHeader } }
        }
        var keys = KeyList()
        if let key { keys.append(KeyReference(key: key)) }
        if pending.count >= maxPending, var oldest = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(&oldest.message)
        }
        let message = Message(
            timestampNanos: request.firstNanos, flow: flow, wireProtocol: .http, command: request.method,
            operation: request.operation, keys: consume keys,
            requestBytes: request.bytes + (request.contentLength ?? 0), requestOffset: request.streamOffset)
        pending.append(Pending(message: consume message, lastNanos: timestampNanos))
        request.state = .startLine
    }

    // MARK: Replies

    private mutating func replyLine(
        _ line: ByteView, wire: Int,
        timestampNanos: Int64, emit: (inout Message) -> Void
    ) -> Int {
        reply.bytes += wire
        switch reply.state {
        case .startLine:
            if line.isEmpty { reply.bytes -= wire; return 0 }
            let parts = lineWords.split(line, limit: 3)
            guard parts.count >= 2, line.extracting(parts[0]).hasPrefix("HTTP/1."),
                let code = decimal(line.extracting(parts[1]))
            else {
                parserHealth.parseErrors += 1
                parserHealth.skippedBytes += wire
                reply.bytes = 0
                return 0
            }
            reply.begin(bytes: wire, firstNanos: timestampNanos)
            reply.statusCode = code
        case .headers:
            guard line.isEmpty else {
                reply.header(line, keyMode: keyMode, keyHeaderName: keyHeaderName, health: &parserHealth)
                return 0
            }
            let code = reply.statusCode
            let method = pending.isEmpty ? "" : pending[0].message.command
            if code == 101 || (method == "CONNECT" && (200..<300).contains(code)) {
                completeReply(emit: emit)
                switchedProtocol = true
                reply.state = .switched
                return 0
            }
            if (100..<200).contains(code) {
                // An interim reply (100 Continue): the final one follows.
                reply.state = .startLine
                reply.bytes = 0
                return 0
            }
            if method == "HEAD" || code == 204 || code == 304 {
                completeReply(emit: emit)
                return 0
            }
            if reply.chunked {
                reply.state = .chunkSize
                return 0
            }
            if let length = reply.contentLength {
                reply.bytes += length
                completeReply(emit: emit)
                return length
            }
            reply.state = .untilClose
            // Everything after the headers is body: the reader hands it over as data.
            return Int.max
        case .chunkSize:
            return reply.chunkLine(line, health: &parserHealth)
        case .trailers:
            if line.isEmpty { completeReply(emit: emit) }
        case .untilClose, .switched:
            break
        }
        return 0
    }

    private mutating func completeReply(emit: (inout Message) -> Void) {
        reply.state = .startLine
        guard !pending.isEmpty, pending[0].lastNanos <= reply.firstNanos else {
            parserHealth.unpairedReplies += 1
            return
        }
        let code = reply.statusCode
        let status: ReplyStatus
        switch code {
        case 200..<400: status = .ok
        case 404: status = .miss
        case 400..<500: status = .error(kind: "4xx")
        default: status = .error(kind: ErrorKind("\(code / 100)xx"))
        }
        let replyBytes = reply.bytes, replyFirstNanos = reply.firstNanos
        pending.removeFirst { request in
            request.message.status = status
            request.message.replyBytes = replyBytes
            request.message.latencyNanos = max(0, replyFirstNanos - request.lastNanos)
            emit(&request.message)
        }
    }

    // MARK: Shared

    static let contentLength = Array("content-length".utf8)
    static let transferEncoding = Array("transfer-encoding".utf8)
    static let hostHeader = Array("host".utf8)
    static let chunkedCoding = Array("chunked".utf8)

    /// `bytes` equals `lowercase` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: ByteView, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for (byte, expected) in zip(bytes, lowercase) {
            let lowered = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            if lowered != expected { return false }
        }
        return true
    }

    /// `bytes` contains `lowercase` ignoring ASCII case.
    static func containsIgnoringCase(_ bytes: ByteView, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count >= lowercase.count else { return false }
        for offset in 0...(bytes.count - lowercase.count)
        where equalsIgnoringCase(bytes.extracting(offset..<(offset + lowercase.count)), lowercase) {
            return true
        }
        return false
    }
}

/// What both directions do with their lines: chunk sizes and headers.
extension HTTPParser.Direction {
    /// A chunk-size line: the size in hex (extensions after `;` ignored); 0 starts the trailers.
    mutating func chunkLine(_ line: ByteView, health parserHealth: inout ParserHealth) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case 0x30...0x39: value = Int(byte - 0x30)
            case 0x61...0x66: value = Int(byte - 0x61 + 10)
            case 0x41...0x46: value = Int(byte - 0x41 + 10)
            default: value = -1
            }
            if value < 0 { break }
            digits += 1
            guard digits <= 15 else {
                parserHealth.oversized += 1
                parserHealth.parseErrors += 1
                state = .startLine
                return 0
            }
            size = size * 16 + value
        }
        guard digits > 0 else {
            parserHealth.parseErrors += 1
            state = .startLine
            return 0
        }
        if size == 0 {
            state = .trailers
            return 0
        }
        return size + 2
    }

    mutating func header(
        _ line: ByteView, keyMode: HTTPKeyMode, keyHeaderName: [UInt8]?,
        health parserHealth: inout ParserHealth
    ) {
        headerCount += 1
        guard headerCount <= HTTPParser.maxHeaders, let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            parserHealth.parseErrors += 1
            return
        }
        let name = line.extracting(0..<colon)
        let start = line.firstIndex(from: colon + 1) { $0 != 0x20 && $0 != 0x09 } ?? line.count
        var end = line.count
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line.extracting(start..<end)
        // Header names compared as bytes, without a String per header; by length first, so that
        // most headers reach no name (each a lazily made static: a `swift_once` call per read).
        if name.count == 14, HTTPParser.equalsIgnoringCase(name, HTTPParser.contentLength) {
            if let length = decimal(value) { contentLength = length } else { parserHealth.parseErrors += 1 }
        } else if name.count == 17, HTTPParser.equalsIgnoringCase(name, HTTPParser.transferEncoding) {
            chunked = HTTPParser.containsIgnoringCase(value, HTTPParser.chunkedCoding)
        } else if keyMode == .hostAndPath, name.count == 4, HTTPParser.equalsIgnoringCase(name, HTTPParser.hostHeader) {
            host = Array(value)  // kept only when the key needs it: an array per request otherwise
        }
        if let keyHeaderName, HTTPParser.equalsIgnoringCase(name, keyHeaderName) { keyHeader = Array(value) }
    }
}
