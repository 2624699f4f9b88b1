import DequeModule
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

    private struct Pending {
        var command: String
        var operation: OperationClass
        var keys: KeyList
        var requestBytes: Int
        var firstNanos: Int64
        var lastNanos: Int64
        var shape: ReplyShape
        var expectsReply: Bool
        var quiet: Bool
        var opaque: UInt32
        var streamOffset: Int
    }

    private let flow: FlowID
    private let maxPending: Int
    private var mode = Mode.unknown
    private var requestReader = TextStreamReader()
    private var replyReader = TextStreamReader()
    private var lineWords = LineWords()
    private var pending = Deque<Pending>()
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
    }

    public var health: ParserHealth {
        var total = parserHealth
        total += requestReader.health
        total += replyReader.health
        total += requestFrame.health
        total += replyFrame.health
        return total
    }

    public mutating func feed(_ direction: FlowDirection, timestampNanos: Int64, bytes: UnsafeRawBufferPointer,
                              emit: (Message) -> Void) {
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
                if var last = pending.popLast() {
                    last.lastNanos = timestampNanos
                    pending.append(last)
                }
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

    public mutating func gap(_ direction: FlowDirection, timestampNanos: Int64, length: Int, emit: (Message) -> Void) {
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
            if replyOpen, let request = pending.popFirst() {
                emit(message(request, status: .noReply, replyBytes: 0, latency: nil))
            }
            replyOpen = false
        }
    }

    public mutating func finish(timestampNanos: Int64, emit: (Message) -> Void) {
        while let request = pending.popFirst() {
            if request.expectsReply { parserHealth.unansweredRequests += 1 }
            emit(message(request, status: .noReply, replyBytes: 0, latency: nil))
        }
    }

    /// UDP: an 8-byte frame header (request id, sequence, datagram count, reserved), then the text protocol.
    public mutating func datagram(_ direction: FlowDirection, timestampNanos: Int64, bytes: UnsafeRawBufferPointer,
                                  emit: (Message) -> Void) {
        guard bytes.count > 8 else {
            parserHealth.parseErrors += 1
            return
        }
        feed(direction, timestampNanos: timestampNanos, bytes: UnsafeRawBufferPointer(rebasing: bytes[8...]), emit: emit)
    }

    // MARK: Text requests

    private mutating func textRequest(_ line: UnsafeRawBufferPointer, wireBytes: Int, offset: Int, timestampNanos: Int64,
                                      emit: (Message) -> Void) -> Int {
        let fields = lineWords.split(line)
        guard let verbRange = fields.first else { return 0 }
        let verb = String(decoding: UnsafeRawBufferPointer(rebasing: line[verbRange]), as: UTF8.self).lowercased()
        func field(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[fields[index]]) }
        func key(_ index: Int) -> KeyReference { KeyReference(key: Key(field(index))) }
        let noreply = fields.count > 1 && field(fields.count - 1).elementsEqual("noreply".utf8)
        var request = Pending(command: verb.uppercased(), operation: .other, keys: [], requestBytes: wireBytes,
                              firstNanos: timestampNanos, lastNanos: timestampNanos, shape: .line,
                              expectsReply: !noreply, quiet: false, opaque: 0, streamOffset: offset)
        var dataBytes = 0
        switch verb {
        case "get", "gets":
            request.operation = .read
            request.shape = .values
            request.keys = KeyList((1..<fields.count).map(key))
        case "gat", "gats":
            request.operation = .read
            request.shape = .values
            request.keys = fields.count > 2 ? KeyList((2..<fields.count).map(key)) : []
        case "set", "add", "replace", "append", "prepend", "cas":
            request.operation = .write
            guard fields.count >= 5, let length = decimal(field(4)) else {
                parserHealth.parseErrors += 1
                return 0
            }
            request.keys = [key(1)]
            dataBytes = length + 2
        case "delete", "incr", "decr", "touch":
            request.operation = .write
            guard fields.count >= 2 else {
                parserHealth.parseErrors += 1
                return 0
            }
            request.keys = [key(1)]
        case "mg", "ms", "md", "ma", "me":
            guard fields.count >= 2 else {
                parserHealth.parseErrors += 1
                return 0
            }
            request.shape = .meta
            request.operation = verb == "mg" || verb == "me" ? .read : .write
            var flagStart = 2
            if verb == "ms" {
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
                case UInt8(ascii: "q"): request.quiet = true
                case UInt8(ascii: "O"):
                    request.opaque = UInt32(truncatingIfNeeded: Key.fnv1a64(flag.dropFirst()))
                default: break
                }
            }
            if base64, let decoded = Base64.decode(bytes: field(1)) {
                request.keys = [KeyReference(key: Key(decoded))]
            } else {
                request.keys = [key(1)]
            }
        case "mn":
            request.shape = .meta
        case "stats":
            request.shape = .listUntilEnd
        default:
            break  // version, verbosity, flush_all, quit, …: one line or none
        }
        if verb == "quit" { request.expectsReply = false }
        request.requestBytes += dataBytes
        enqueue(request, emit: emit)
        return dataBytes
    }

    private mutating func enqueue(_ request: Pending, emit: (Message) -> Void) {
        if !request.expectsReply, pending.isEmpty {
            emit(message(request, status: .noReply, replyBytes: 0, latency: nil))
            return
        }
        if pending.count >= maxPending, let oldest = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(message(oldest, status: .noReply, replyBytes: 0, latency: nil))
        }
        pending.append(request)
    }

    // MARK: Text replies

    private mutating func textReply(_ line: UnsafeRawBufferPointer, wireBytes: Int, timestampNanos: Int64,
                                    emit: (Message) -> Void) -> Int {
        let fields = lineWords.split(line, limit: 8)
        guard let first = fields.first else { return 0 }
        let word = UnsafeRawBufferPointer(rebasing: line[first])
        func field(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[fields[index]]) }
        if !replyOpen {
            replyOpen = true
            replyFirstNanos = timestampNanos
            replyBytes = 0
            replyHadValue = false
        }
        replyBytes += wireBytes
        skipNoReplyFront(emit: emit)
        let isError = word.elementsEqual("ERROR".utf8) || word.elementsEqual("CLIENT_ERROR".utf8)
            || word.elementsEqual("SERVER_ERROR".utf8)
        if isError {
            complete(status: .error(kind: String(decoding: word, as: UTF8.self)), emit: emit)
            return 0
        }
        guard var request = pending.first else {
            parserHealth.unpairedReplies += 1
            replyOpen = false
            return word.elementsEqual("VALUE".utf8) && fields.count >= 4 ? (decimal(field(3)) ?? 0) + 2 : 0
        }
        switch request.shape {
        case .values:
            if word.elementsEqual("VALUE".utf8), fields.count >= 4, let length = decimal(field(3)) {
                let valueKey = field(1)
                if let index = request.keys.firstIndex(where: { $0.hit == nil && $0.key.bytes.elementsEqual(valueKey) }) {
                    request.keys[index].hit = true
                    request.keys[index].valueBytes = length
                    pending[0] = request
                }
                replyHadValue = true
                return length + 2
            }
            if word.elementsEqual("END".utf8) {
                for index in request.keys.indices where request.keys[index].hit == nil { request.keys[index].hit = false }
                pending[0] = request
                complete(status: replyHadValue ? .ok : .miss, emit: emit)
            } else {
                parserHealth.parseErrors += 1
            }
        case .listUntilEnd:
            if word.elementsEqual("END".utf8) { complete(status: .ok, emit: emit) }
        case .line:
            let status: ReplyStatus
            if word.elementsEqual("NOT_FOUND".utf8) {
                status = .miss
            } else if word.elementsEqual("NOT_STORED".utf8) || word.elementsEqual("EXISTS".utf8) {
                status = .error(kind: String(decoding: word, as: UTF8.self))
            } else {
                status = .ok
            }
            complete(status: status, emit: emit)
        case .meta:
            return metaReply(word, fields: fields, line: line, request: request, emit: emit)
        }
        return 0
    }

    private mutating func metaReply(_ word: UnsafeRawBufferPointer, fields: [Range<Int>], line: UnsafeRawBufferPointer,
                                    request: Pending, emit: (Message) -> Void) -> Int {
        let code = String(decoding: word, as: UTF8.self)
        // Quiet requests before this reply that it cannot belong to were answered by silence.
        var front = request
        while front.quiet, code == "MN" || (code == "EN" && front.command == "MG") || code == "HD" {
            pending.removeFirst()
            let silent: ReplyStatus = front.command == "MG" ? .miss : .ok
            if front.command == "MG" { for index in front.keys.indices { front.keys[index].hit = false } }
            emit(message(front, status: silent, replyBytes: 0, latency: nil))
            guard let next = pending.first else {
                replyOpen = false
                return 0
            }
            front = next
        }
        var dataBytes = 0
        var status: ReplyStatus
        switch code {
        case "VA":
            dataBytes = fields.count >= 2 ? (decimal(UnsafeRawBufferPointer(rebasing: line[fields[1]])) ?? 0) + 2 : 0
            status = .ok
            if !front.keys.isEmpty {
                pending[0].keys[0].hit = true
                pending[0].keys[0].valueBytes = max(0, dataBytes - 2)
            }
        case "HD", "MN", "ME": status = .ok
        case "EN", "NF": status = .miss
        case "NS": status = .error(kind: "NOT_STORED")
        case "EX": status = .error(kind: "EXISTS")
        default: status = .error(kind: code)
        }
        if case .miss = status, !pending[0].keys.isEmpty { pending[0].keys[0].hit = false }
        if case .ok = status, code == "HD", pending[0].operation == .read, !pending[0].keys.isEmpty {
            pending[0].keys[0].hit = true
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

    private mutating func skipNoReplyFront(emit: (Message) -> Void) {
        while let first = pending.first, !first.expectsReply {
            pending.removeFirst()
            emit(message(first, status: .noReply, replyBytes: 0, latency: nil))
        }
    }

    private mutating func complete(status: ReplyStatus, emit: (Message) -> Void) {
        replyOpen = false
        guard let request = pending.popFirst() else {
            parserHealth.unpairedReplies += 1
            return
        }
        let latency = max(0, replyFirstNanos - request.lastNanos)
        emit(message(request, status: status, replyBytes: replyBytes, latency: latency))
        skipNoReplyFront(emit: emit)
    }

    // MARK: Binary

    private mutating func binaryRequest(_ frame: BinaryFrameReader.Frame, timestampNanos: Int64,
                                        emit: (Message) -> Void) {
        let info = MemcachedBinaryOpcode.info(frame.opcode)
        let keys: KeyList = frame.key.isEmpty ? [] : [KeyReference(key: Key(frame.key))]
        let request = Pending(command: info.name, operation: info.operation, keys: keys, requestBytes: frame.totalBytes,
                              firstNanos: frame.firstNanos, lastNanos: timestampNanos, shape: .line,
                              expectsReply: true, quiet: info.quiet, opaque: frame.opaque,
                              streamOffset: frame.streamOffset)
        if pending.count >= maxPending, let oldest = pending.popFirst() {
            parserHealth.unansweredRequests += 1
            emit(message(oldest, status: .noReply, replyBytes: 0, latency: nil))
        }
        pending.append(request)
    }

    private mutating func binaryReply(_ frame: BinaryFrameReader.Frame, emit: (Message) -> Void) {
        // Quiet requests sent before the one this reply answers got no reply: success for writes,
        // a miss for reads (a GETKQ run closed by NOOP).
        guard let index = pending.firstIndex(where: { $0.opaque == frame.opaque && $0.firstNanos <= frame.firstNanos })
        else {
            parserHealth.unpairedReplies += 1
            return
        }
        for _ in 0..<index {
            guard var silent = pending.popFirst() else { break }
            let status: ReplyStatus = silent.operation == .read ? .miss : .ok
            if silent.operation == .read { for k in silent.keys.indices { silent.keys[k].hit = false } }
            if !silent.quiet { parserHealth.unansweredRequests += 1 }
            emit(message(silent, status: silent.quiet ? status : .noReply, replyBytes: 0, latency: nil))
        }
        guard var request = pending.popFirst() else { return }
        let status = MemcachedBinaryOpcode.status(frame.status, operation: request.operation)
        if request.operation == .read, !request.keys.isEmpty {
            if case .ok = status {
                request.keys[0].hit = true
                request.keys[0].valueBytes = frame.valueBytes
            } else if case .miss = status {
                request.keys[0].hit = false
            }
        }
        emit(message(request, status: status, replyBytes: frame.totalBytes,
                     latency: max(0, frame.firstNanos - request.lastNanos)))
    }

    private func message(_ request: Pending, status: ReplyStatus, replyBytes: Int, latency: Int64?) -> Message {
        Message(timestampNanos: request.firstNanos, flow: flow, wireProtocol: .memcached, command: request.command,
                operation: request.operation, keys: request.keys, requestBytes: request.requestBytes,
                replyBytes: replyBytes, status: status, latencyNanos: latency, requestOffset: request.streamOffset)
    }
}
