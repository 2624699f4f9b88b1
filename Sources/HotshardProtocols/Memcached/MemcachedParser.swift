import HotshardBytes
import HotshardCapture

/// memcached conversations: the text protocol (get/gets/gat/gats with many keys, storage
/// commands with data blocks, delete, incr/decr, touch, noreply, keyless commands), the meta
/// protocol (mg/ms/md/ma/mn/me with base64 keys, opaque and quiet mode) and the binary protocol
/// (every keyed opcode, quiet variants paired by opaque, GETKQ runs closed by NOOP). The flow's
/// first request byte decides: 0x80 is binary, anything else text.
///
/// A multi-key get is one message with one `KeyReference` per key; each VALUE block marks its
/// key a hit with its value size, keys without one are misses. The message's status is `ok` when
/// any key hit, `miss` when none did. Latency runs from the request's last byte to the reply's first.
public struct MemcachedParser: ConversationParser {
    private enum Mode { case unknown, text, binary }

    private enum ReplyShape {
        /// VALUE blocks then END (get/gets/gat/gats).
        case values
        /// Lines until END (stats).
        case listUntilEnd
        /// One line (storage, delete, incr/decr, touch, version, …).
        case line
        /// One meta reply line, VA with a data block.
        case meta
    }

    /// A request waiting for its reply, already the message it will be emitted as (built once and
    /// moved, as in the RESP parser): answering fills in the reply's fields.
    private struct Pending {
        var message: Message
        var lastNanos: Int64
        var shape: ReplyShape
        var expectsReply: Bool
        var quiet: Bool
        var opaque: UInt32

        var command: String { message.command }
        var operation: OperationClass { message.operation }
        var firstNanos: Int64 { message.timestampNanos }

        mutating func answer(status: ReplyStatus, replyBytes: Int, latency: Int64?) {
            message.status = status
            message.replyBytes = replyBytes
            message.latencyNanos = latency
        }

        /// Every key the reply did not find is a miss.
        mutating func markUnansweredKeysMissed() {
            for index in 0..<message.keys.count where message.keys[index].hit == nil {
                message.keys.setOutcome(at: index, hit: false, valueBytes: 0)
            }
        }
    }

    private let flow: FlowID
    private let maxPending: Int
    private var mode = Mode.unknown
    private var requestReader = TextStreamReader()
    private var replyReader = TextStreamReader()
    private var lineWords = LineWords()
    private var pending: PendingQueue<Pending>
    private var parserHealth = ParserHealth()

    // Reply being assembled (text).
    private var replyOpen = false
    private var replyFirstNanos: Int64 = 0
    private var replyBytes = 0
    private var replyHadValue = false

    // Binary framing, per direction.
    private var requestFrame = BinaryFrameReader()
    private var replyFrame = BinaryFrameReader()

    public init(flow: FlowID, configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.flow = flow
        self.maxPending = configuration.maxPendingRequests
        pending = PendingQueue(
            blank: Pending(
                message: .blank(flow: flow, wireProtocol: .memcached), lastNanos: 0,
                shape: .line, expectsReply: false, quiet: false, opaque: 0))
    }

    public var health: ParserHealth {
        var total = parserHealth
        total += requestReader.health
        total += replyReader.health
        total += requestFrame.health
        total += replyFrame.health
        return total
    }

    public mutating func feed(
        _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView,
        emit: (inout Message) -> Void
    ) {
        if mode == .unknown {
            guard direction == .clientToServer, let first = bytes.first else {
                parserHealth.skippedBytes += bytes.count
                return
            }
            mode = first == 0x80 ? .binary : .text
        }
        // Each reader is moved out while its callbacks change the rest of the parser, not copied: a
        // copy would share the reader's buffers, and its next write would re-allocate them.
        switch (mode, direction) {
        case (.binary, .clientToServer):
            var reader = requestFrame
            requestFrame = BinaryFrameReader()
            reader.consume(bytes, timestampNanos: timestampNanos, expectedMagic: 0x80) { frame in
                binaryRequest(frame, timestampNanos: timestampNanos, emit: emit)
            }
            requestFrame = reader
        case (.binary, .serverToClient):
            var reader = replyFrame
            replyFrame = BinaryFrameReader()
            reader.consume(bytes, timestampNanos: timestampNanos, expectedMagic: 0x81) { frame in
                binaryReply(frame, emit: emit)
            }
            replyFrame = reader
        case (_, .clientToServer):
            var reader = requestReader
            requestReader = TextStreamReader()
            reader.consume(bytes) { line, wire, end in
                textRequest(line, wireBytes: wire, offset: end - wire, timestampNanos: timestampNanos, emit: emit)
            } onData: { _ in
                // The data block's bytes are in the request's size already (a noreply request may be gone).
                if !pending.isEmpty { pending[pending.count - 1].lastNanos = timestampNanos }
            }
            requestReader = reader
        case (_, .serverToClient):
            var reader = replyReader
            replyReader = TextStreamReader()
            reader.consume(bytes) { line, wire, _ in
                textReply(line, wireBytes: wire, timestampNanos: timestampNanos, emit: emit)
            } onData: { count in
                replyBytes += count
            }
            replyReader = reader
        }
    }

    public mutating func gap(_ direction: FlowDirection, timestampNanos: Int64, length: Int, emit: (inout Message) -> Void) {
        parserHealth.skippedBytes += length
        parserHealth.resyncs += 1
        if direction == .clientToServer {
            requestReader.reset()
            requestFrame.reset()
            requestReader.skip(length)
            requestFrame.skip(length)
        } else {
            replyReader.reset()
            replyFrame.reset()
            if replyOpen, var request = pending.popFirst() { emit(&request.message) }
            replyOpen = false
        }
    }

    public mutating func finish(timestampNanos: Int64, emit: (inout Message) -> Void) {
        while var request = pending.popFirst() {
            if request.expectsReply { parserHealth.unansweredRequests += 1 }
            emit(&request.message)
        }
    }

    /// UDP: an 8-byte frame header (request id, sequence, datagram count, reserved), then the text protocol.
    public mutating func datagram(
        _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView,
        emit: (inout Message) -> Void
    ) {
        guard bytes.count > 8 else {
            parserHealth.parseErrors += 1
            return
        }
        feed(direction, timestampNanos: timestampNanos, bytes: bytes.dropping(first: 8), emit: emit)
    }

    // MARK: Text requests

    private mutating func textRequest(
        _ line: ByteView, wireBytes: Int, offset: Int, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Int {
        let fields = lineWords.split(line)
        guard let verbRange = fields.first else { return 0 }
        func field(_ index: Int) -> ByteView { line.extracting(fields[index]) }
        func key(_ index: Int) -> KeyReference { KeyReference(key: Key(field(index))) }
        let verbBytes = line.extracting(verbRange)
        let verb = MemcachedTextVerb.recognise(verbBytes)
        let noreply = fields.count > 1 && bytesEqual(field(fields.count - 1), "noreply")
        var operation = OperationClass.other
        var keys = KeyList()
        var shape = ReplyShape.line
        var quiet = false
        var opaque: UInt32 = 0
        var dataBytes = 0
        switch verb {
        case .get, .gets, .gat, .gats:
            operation = .read
            shape = .values
            let firstKey = verb == .get || verb == .gets ? 1 : 2  // gat/gats: the expiry comes first
            if fields.count > firstKey {
                keys.reserveCapacity(fields.count - firstKey)
                for index in firstKey..<fields.count { keys.append(key(index)) }
            }
        case .set, .add, .replace, .append, .prepend, .cas:
            operation = .write
            guard fields.count >= 5, let length = decimal(field(4)) else {
                parserHealth.parseErrors += 1
                return 0
            }
            keys.append(key(1))
            dataBytes = length + 2
        case .delete, .incr, .decr, .touch:
            operation = .write
            guard fields.count >= 2 else {
                parserHealth.parseErrors += 1
                return 0
            }
            keys.append(key(1))
        case .mg, .ms, .md, .ma, .me:
            guard fields.count >= 2 else {
                parserHealth.parseErrors += 1
                return 0
            }
            shape = .meta
            operation = verb == .mg || verb == .me ? .read : .write
            var flagStart = 2
            if verb == .ms {
                guard fields.count >= 3, let length = decimal(field(2)) else {
                    parserHealth.parseErrors += 1
                    return 0
                }
                dataBytes = length + 2
                flagStart = 3
            }
            var base64 = false
            for index in flagStart..<max(flagStart, fields.count) {
                let flag = field(index)
                guard let first = flag.first else { continue }
                switch first {
                case UInt8(ascii: "b"): base64 = true
                case UInt8(ascii: "q"): quiet = true
                case UInt8(ascii: "O"): opaque = UInt32(truncatingIfNeeded: Key.fnv1a64(flag.dropFirst()))
                default: break
                }
            }
            if base64, let decoded = Base64.decode(bytes: field(1)) {
                keys.append(KeyReference(key: Key(decoded)))
            } else {
                keys.append(key(1))
            }
        case .mn:
            shape = .meta
        case .stats:
            shape = .listUntilEnd
        case .quit, nil:
            break  // version, verbosity, flush_all, quit, …: one line or none
        }
        let command = verb?.name ?? String(decoding: verbBytes, as: UTF8.self).uppercased()
        let message = Message(
            timestampNanos: timestampNanos, flow: flow, wireProtocol: .memcached,
            command: consume command, operation: operation, keys: consume keys,
            requestBytes: wireBytes + dataBytes, requestOffset: offset)
        let request = Pending(
            message: consume message, lastNanos: timestampNanos, shape: shape,
            expectsReply: !noreply && verb != .quit, quiet: quiet, opaque: opaque)
        enqueue(consume request, emit: emit)
        return dataBytes
    }

    private mutating func enqueue(_ request: consuming Pending, emit: (inout Message) -> Void) {
        if !request.expectsReply, pending.isEmpty {
            // Moved into a local of this branch: lending the parameter itself made every call copy it.
            var unqueued = consume request
            emit(&unqueued.message)
            return
        }
        if pending.count >= maxPending, var oldest = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(&oldest.message)
        }
        pending.append(request)
    }

    // MARK: Text replies

    private mutating func textReply(
        _ line: ByteView, wireBytes: Int, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Int {
        let fields = lineWords.split(line, limit: 8)
        guard let first = fields.first else { return 0 }
        let word = line.extracting(first)
        func field(_ index: Int) -> ByteView { line.extracting(fields[index]) }
        if !replyOpen {
            replyOpen = true
            replyFirstNanos = timestampNanos
            replyBytes = 0
            replyHadValue = false
        }
        replyBytes += wireBytes
        skipNoReplyFront(emit: emit)
        let isError = bytesEqual(word, "ERROR") || bytesEqual(word, "CLIENT_ERROR") || bytesEqual(word, "SERVER_ERROR")
        if isError {
            complete(status: .error(kind: ErrorKind(word)), emit: emit)
            return 0
        }
        // The request answered is read and changed where it waits (a copy per line cost more than the line).
        guard !pending.isEmpty else {
            parserHealth.unpairedReplies += 1
            replyOpen = false
            return bytesEqual(word, "VALUE") && fields.count >= 4 ? (decimal(field(3)) ?? 0) + 2 : 0
        }
        switch pending[0].shape {
        case .values:
            if bytesEqual(word, "VALUE"), fields.count >= 4, let length = decimal(field(3)) {
                let valueKey = field(1)
                let keys = pending[0].message.keys
                if let index = keys.firstIndex(where: { reference in
                    reference.hit == nil && reference.key.withByteView { bytesEqual($0, valueKey) }
                }) {
                    pending[0].message.keys.setOutcome(at: index, hit: true, valueBytes: length)
                }
                replyHadValue = true
                return length + 2
            }
            if bytesEqual(word, "END") {
                pending[0].markUnansweredKeysMissed()
                complete(status: replyHadValue ? .ok : .miss, emit: emit)
            } else {
                parserHealth.parseErrors += 1
            }
        case .listUntilEnd:
            if bytesEqual(word, "END") { complete(status: .ok, emit: emit) }
        case .line:
            let status: ReplyStatus
            if bytesEqual(word, "NOT_FOUND") {
                status = .miss
            } else if bytesEqual(word, "NOT_STORED") || bytesEqual(word, "EXISTS") {
                status = .error(kind: ErrorKind(word))
            } else {
                status = .ok
            }
            complete(status: status, emit: emit)
        case .meta:
            return metaReply(word, fields: fields, line: line, emit: emit)
        }
        return 0
    }

    private mutating func metaReply(
        _ word: ByteView, fields: LineWords.Words, line: ByteView,
        emit: (inout Message) -> Void
    ) -> Int {
        // The two-letter code compared as bytes: no String per reply.
        func code(_ text: StaticString) -> Bool { bytesEqual(word, text) }
        // Quiet requests before this reply that it cannot belong to were answered by silence.
        while !pending.isEmpty, pending[0].quiet,
            code("MN") || (code("EN") && pending[0].command == "MG") || code("HD")
        {
            var front = pending.takeFirst()
            if front.command == "MG" {
                front.markUnansweredKeysMissed()
                front.answer(status: .miss, replyBytes: 0, latency: nil)
            } else {
                front.answer(status: .ok, replyBytes: 0, latency: nil)
            }
            emit(&front.message)
            if pending.isEmpty {
                replyOpen = false
                return 0
            }
        }
        var dataBytes = 0
        var status: ReplyStatus
        if code("VA") {
            dataBytes = fields.count >= 2 ? (decimal(line.extracting(fields[1])) ?? 0) + 2 : 0
            status = .ok
            if !pending[0].message.keys.isEmpty {
                pending[0].message.keys.setOutcome(at: 0, hit: true, valueBytes: max(0, dataBytes - 2))
            }
        } else if code("HD") || code("MN") || code("ME") {
            status = .ok
        } else if code("EN") || code("NF") {
            status = .miss
        } else if code("NS") {
            status = .error(kind: "NOT_STORED")
        } else if code("EX") {
            status = .error(kind: "EXISTS")
        } else {
            status = .error(kind: ErrorKind(word))
        }
        if !pending[0].message.keys.isEmpty {
            let valueBytes = pending[0].message.keys[0].valueBytes
            if case .miss = status { pending[0].message.keys.setOutcome(at: 0, hit: false, valueBytes: valueBytes) }
            if case .ok = status, code("HD"), pending[0].operation == .read {
                pending[0].message.keys.setOutcome(at: 0, hit: true, valueBytes: valueBytes)
            }
        }
        if dataBytes > 0 {
            // The reply completes after its data block: count it now, close at the next line or gap.
            replyBytes += dataBytes
            complete(status: status, emit: emit)
            return dataBytes
        }
        complete(status: status, emit: emit)
        return 0
    }

    private mutating func skipNoReplyFront(emit: (inout Message) -> Void) {
        while !pending.isEmpty, !pending[0].expectsReply { pending.removeFirst { emit(&$0.message) } }
    }

    private mutating func complete(status: ReplyStatus, emit: (inout Message) -> Void) {
        replyOpen = false
        guard !pending.isEmpty else {
            parserHealth.unpairedReplies += 1
            return
        }
        let replyFirstNanos = replyFirstNanos, replyBytes = replyBytes
        pending.removeFirst { request in
            request.answer(status: status, replyBytes: replyBytes, latency: max(0, replyFirstNanos - request.lastNanos))
            emit(&request.message)
        }
        skipNoReplyFront(emit: emit)
    }

    // MARK: Binary

    private mutating func binaryRequest(
        _ frame: BinaryFrameReader.Frame, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) {
        let info = MemcachedBinaryOpcode.info(frame.opcode)
        var keys = KeyList()
        if !frame.key.isEmpty { keys.append(KeyReference(key: Key(frame.key))) }
        let message = Message(
            timestampNanos: frame.firstNanos, flow: flow, wireProtocol: .memcached,
            command: info.name, operation: info.operation, keys: consume keys,
            requestBytes: frame.totalBytes, requestOffset: frame.streamOffset)
        let request = Pending(
            message: consume message, lastNanos: timestampNanos, shape: .line, expectsReply: true,
            quiet: info.quiet, opaque: frame.opaque)
        if pending.count >= maxPending, var oldest = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(&oldest.message)
        }
        pending.append(consume request)
    }

    private mutating func binaryReply(_ frame: BinaryFrameReader.Frame, emit: (inout Message) -> Void) {
        // Quiet requests sent before the one this reply answers got no reply: success for writes,
        // a miss for reads (a GETKQ run closed by NOOP).
        guard let index = pending.firstIndex(where: { $0.opaque == frame.opaque && $0.firstNanos <= frame.firstNanos })
        else {
            parserHealth.unpairedReplies += 1
            return
        }
        for _ in 0..<index {
            var silent = pending.takeFirst()
            if silent.quiet {
                if silent.operation == .read { silent.markUnansweredKeysMissed() }
                silent.answer(status: silent.operation == .read ? .miss : .ok, replyBytes: 0, latency: nil)
            } else {
                parserHealth.unansweredRequests += 1
            }
            emit(&silent.message)
        }
        var request = pending.takeFirst()
        let status = MemcachedBinaryOpcode.status(frame.status, operation: request.operation)
        if request.operation == .read, !request.message.keys.isEmpty {
            if case .ok = status {
                request.message.keys.setOutcome(at: 0, hit: true, valueBytes: frame.valueBytes)
            } else if case .miss = status {
                request.message.keys.setOutcome(at: 0, hit: false, valueBytes: request.message.keys[0].valueBytes)
            }
        }
        request.answer(status: status, replyBytes: frame.totalBytes, latency: max(0, frame.firstNanos - request.lastNanos))
        emit(&request.message)
    }
}
