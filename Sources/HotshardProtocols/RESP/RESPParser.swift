import HotshardBytes
import HotshardCapture

/// Redis / Valkey / KeyDB conversations (RESP2 and RESP3): requests with every key they name,
/// paired in order with their replies.
///
/// Pairing follows the server's rules: pipelined replies come in request order; commands inside
/// MULTI are answered `+QUEUED` and their real replies arrive in EXEC's array; CLIENT REPLY
/// OFF/SKIP suppress replies; pub/sub messages and RESP3 pushes answer no request. A reply is
/// never paired with a request sent after the reply began (which keeps pairing honest after a gap).
/// Latency runs from the request's last byte to the reply's first byte.
public struct RESPParser: ConversationParser {
    /// A request waiting for its reply, already in the form it will be emitted: answering it fills
    /// in the reply's fields, so the message is built once and moved, never copied.
    private struct PendingRequest {
        var message: Message
        var lastByteNanos: Int64
        var expectsReply: Bool
        var role: Role
        /// The table entry whose name and class `message` holds (nil: another name): a slot that
        /// held the same command before skips writing them.
        var named: Unmanaged<RedisCommandEntry>? = nil

        var operation: OperationClass { message.operation }

        /// Sets the times, sizes and reply fields to a request just read, as yet unanswered. Its
        /// flow and protocol are the slot's for good: writing or comparing the 41-byte flow per
        /// request cost 5–7 ns, and receivers are lent messages read-only (`ConversationParser`),
        /// which debug builds check here.
        @inline(__always)
        mutating func stamp(
            firstNanos: Int64, lastNanos: Int64, requestBytes: Int, requestOffset: Int,
            expectsReply: Bool, role: Role, flow: FlowID
        ) {
            assert(message.flow == flow && message.wireProtocol == .resp, "a receiver changed a lent message")
            message.timestampNanos = firstNanos
            message.requestBytes = requestBytes
            message.replyBytes = 0
            message.status = .noReply
            message.latencyNanos = nil
            message.requestOffset = requestOffset
            lastByteNanos = lastNanos
            self.expectsReply = expectsReply
            self.role = role
        }

        /// Sets the command's name and class, unless the slot's last request had the same command.
        @inline(__always)
        mutating func name(_ entry: Unmanaged<RedisCommandEntry>) {
            guard named?.toOpaque() != entry.toOpaque() else { return }
            entry._withUnsafeGuaranteedRef { entry in
                message.command = entry.name
                message.operation = entry.spec.operation
            }
            named = entry
        }

        /// Names a command the table does not know.
        mutating func name(unknown text: String) {
            message.command = text
            message.operation = .other
            named = nil
        }

        mutating func answer(status: ReplyStatus, replyBytes: Int, latency: Int64?) {
            message.status = status
            message.replyBytes = replyBytes
            message.latencyNanos = latency
        }

        /// A reply that is one value (or nil, or a status, or an integer): for a read of one key,
        /// whether it was found and the reply's size as its value's.
        @inline(__always)
        mutating func answerPlain(isNull: Bool, bytes: Int, latency: Int64) {
            let isRead = message.operation == .read
            answer(status: isNull && isRead ? .miss : .ok, replyBytes: bytes, latency: latency)
            if isRead, message.keys.count == 1 {
                message.keys.setOutcome(at: 0, hit: !isNull, valueBytes: isNull ? 0 : max(0, bytes))
            }
        }

        /// The reply's status and size, and for a read what it found of each key.
        @inline(__always)
        mutating func answer(with reply: Reply, latency: Int64) {
            let isRead = message.operation == .read
            if let kind = reply.errorKind {
                answer(status: .error(kind: kind), replyBytes: reply.bytes, latency: latency)
                return
            }
            guard !reply.elements.isEmpty else {
                answerPlain(isNull: reply.isNull, bytes: reply.bytes, latency: latency)
                return
            }
            answer(status: reply.isNull && isRead ? .miss : .ok, replyBytes: reply.bytes, latency: latency)
            guard isRead else { return }
            let keyCount = message.keys.count
            if keyCount > 1, keyCount == reply.elements.count {
                for index in 0..<keyCount {
                    message.keys.setOutcome(
                        at: index, hit: !reply.elements[index].isNull,
                        valueBytes: reply.elements[index].bytes)
                }
            }
        }
    }

    private enum Role { case plain, multi, exec, discard, subscribe(channels: Int) }

    /// One finished top-level reply.
    private struct Reply {
        var firstByteNanos: Int64 = 0
        var bytes = 0
        var isNull = false
        var errorKind: ErrorKind?
        var isPush = false
        /// A (un)subscribe confirmation: answers a SUBSCRIBE, unlike other pushes.
        var isSubscription = false
        var queued = false
        /// Direct elements of a top-level aggregate: null?, error?, value bytes.
        var elements: [(isNull: Bool, isError: Bool, bytes: Int)] = []

        /// Starts the next reply, keeping the elements' storage.
        mutating func reset(firstByteNanos: Int64) {
            self.firstByteNanos = firstByteNanos
            bytes = 0
            isNull = false
            errorKind = nil
            isPush = false
            isSubscription = false
            queued = false
            // Checked first: on an empty array the call still runs a generic replace per reply.
            if !elements.isEmpty { elements.removeAll(keepingCapacity: true) }
        }
    }

    /// Where the request side is, as NIO's decoders keep it: one value instead of a count with a
    /// sentinel and flags that had to agree.
    private enum RequestState {
        /// Between requests: the next token starts one (whole requests are read in place here).
        case betweenRequests
        /// Inside an array request, `remaining` arguments still to come; `argumentOpen` when the
        /// argument being read is being stored (false past the argument cap).
        case readingArguments(RequestHead, remaining: Int, argumentOpen: Bool)
    }

    /// What is known of a request once its first token was read.
    private struct RequestHead {
        /// Its bytes on the wire so far.
        var bytes: Int
        var firstNanos: Int64
        /// Where it starts in the client's stream (for replay).
        var streamOffset: Int
    }

    /// Where the reply side is.
    private enum ReplyState {
        /// Between replies: the next token starts one (whole simple replies are read in place here).
        case betweenReplies
        /// Inside a reply (`reply` and `replyStack` hold it so far); `bulk` while a bulk string's
        /// bytes are being read: its length and whether it is a RESP3 blob error.
        case inReply(bulk: (bytes: Int, isError: Bool)?)

        var isBetweenReplies: Bool {
            if case .betweenReplies = self { return true }
            return false
        }
    }

    /// CLIENT REPLY ON / OFF / SKIP: whether the server answers the next requests.
    private enum ReplyMode {
        case on
        /// No replies until CLIENT REPLY ON.
        case off
        /// No reply to the next request, then on again.
        case skipNext
    }

    private let flow: FlowID
    private var requestReader = RESPReader(isRequestSide: true)
    private var replyReader = RESPReader(isRequestSide: false)
    /// What stands in a reader's place while `feed` has it out (owns no storage).
    private static let idleRequestReader = RESPReader(isRequestSide: true)
    private static let idleReplyReader = RESPReader(isRequestSide: false)
    private var arguments = RESPArguments()
    private var commands = RedisCommandCache()
    private var pending: PendingQueue<PendingRequest>
    /// How many of `pending` expect no reply: while none do, pairing need not look for them.
    private var pendingWithoutReply = 0
    private var queued: [PendingRequest] = []
    private let maxPending: Int

    /// Where the client's side stands between tokens.
    private var requestState = RequestState.betweenRequests
    /// Where the server's side stands between tokens.
    private var replyState = ReplyState.betweenReplies
    /// What CLIENT REPLY last asked for.
    private var replyMode = ReplyMode.on

    // Storage kept from one reply to the next (its state is `replyState`).
    private var reply = Reply()
    private var replyStack: [(remaining: Int, isAttribute: Bool)] = []
    private var firstElementText: [UInt8] = []
    private var errorText: [UInt8] = []

    private var parserHealth = ParserHealth()

    public init(flow: FlowID, maxPendingRequests: Int = 100_000) {
        self.flow = flow
        self.maxPending = maxPendingRequests
        pending = PendingQueue(
            blank: PendingRequest(
                message: .blank(flow: flow, wireProtocol: .resp), lastByteNanos: 0,
                expectsReply: false, role: .plain))
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
        // Whole messages are read straight from the input; the token reader takes what arrives
        // in pieces, and hands back at the first message boundary after a finished message.
        var index = 0
        if direction == .clientToServer {
            while index < bytes.count {
                if case .betweenRequests = requestState, requestReader.isAtMessageBoundary {
                    let read = readWholeRequests(
                        bytes.dropping(first: index),
                        timestampNanos: timestampNanos, emit: emit)
                    requestReader.skip(read)
                    index += read
                    if index >= bytes.count { break }
                }
                // Moved out, not copied: a copy would share the reader's line buffer, and the next
                // split line would re-allocate it.
                var reader = requestReader
                requestReader = Self.idleRequestReader
                index += reader.consume(bytes.dropping(first: index)) { token, wireBytes, end in
                    requestToken(token, wireBytes: wireBytes, end: end, timestampNanos: timestampNanos, emit: emit)
                    if case .betweenRequests = requestState { return true }
                    return false
                }
                requestReader = reader
            }
        } else {
            while index < bytes.count {
                if replyState.isBetweenReplies, replyReader.isAtMessageBoundary {
                    let read = readWholeReplies(
                        bytes.dropping(first: index),
                        timestampNanos: timestampNanos, emit: emit)
                    replyReader.skip(read)
                    index += read
                    if index >= bytes.count { break }
                }
                var reader = replyReader
                replyReader = Self.idleReplyReader
                index += reader.consume(bytes.dropping(first: index)) { token, wireBytes, _ in
                    replyToken(token, wireBytes: wireBytes, timestampNanos: timestampNanos, emit: emit)
                    return replyState.isBetweenReplies
                }
                replyReader = reader
            }
        }
    }

    public mutating func gap(
        _ direction: FlowDirection, timestampNanos: Int64, length: Int,
        emit: (inout Message) -> Void
    ) {
        if direction == .clientToServer {
            requestState = .betweenRequests
            requestReader.resynchronise()
            requestReader.skip(length)
        } else {
            if !replyState.isBetweenReplies {
                // The reply being read is lost: its request gets no reply.
                if frontIsAnswerable(before: reply.firstByteNanos) { pending.removeFirst { emit(&$0.message) } }
                replyState = .betweenReplies
                replyStack.removeAll(keepingCapacity: true)
            }
            replyReader.resynchronise()
        }
        parserHealth.skippedBytes += length
    }

    public mutating func finish(timestampNanos: Int64, emit: (inout Message) -> Void) {
        for var request in queued {
            if request.expectsReply { parserHealth.unansweredRequests += 1 }
            emit(&request.message)
        }
        queued.removeAll()
        while var request = pending.popFirst() {
            if request.expectsReply { parserHealth.unansweredRequests += 1 }
            emit(&request.message)
        }
        pendingWithoutReply = 0
    }

    // MARK: Requests

    private mutating func requestToken(
        _ token: RESPReader.Token, wireBytes: Int, end: Int, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) {
        let head = RequestHead(bytes: wireBytes, firstNanos: timestampNanos, streamOffset: end - wireBytes)
        switch (token, requestState) {
        case (.aggregate(let kind, let count), _):
            if case .readingArguments = requestState {
                // A new array inside an unfinished request: the request was malformed.
                parserHealth.parseErrors += 1
            } else if kind != UInt8(ascii: "*") {
                parserHealth.parseErrors += 1
            }
            arguments.reset()
            requestState = count > 0 ? .readingArguments(head, remaining: count, argumentOpen: false) : .betweenRequests
        case (.bulkHeader(_, let length), .readingArguments(var request, let remaining, _)):
            request.bytes += wireBytes
            requestState = .readingArguments(request, remaining: remaining, argumentOpen: arguments.begin())
            if length < 0 { finishArgument(timestampNanos: timestampNanos, emit: emit) }
        case (.bulkChunk(let chunk), .readingArguments(var request, let remaining, let argumentOpen)):
            request.bytes += wireBytes
            requestState = .readingArguments(request, remaining: remaining, argumentOpen: argumentOpen)
            if argumentOpen { arguments.append(chunk) }
        case (.bulkEnd, .readingArguments(var request, let remaining, let argumentOpen)):
            request.bytes += wireBytes
            requestState = .readingArguments(request, remaining: remaining, argumentOpen: argumentOpen)
            finishArgument(timestampNanos: timestampNanos, emit: emit)
        case (.bulkHeader, .betweenRequests):
            // A bulk string outside an array request: malformed (its bytes are skipped).
            parserHealth.parseErrors += 1
        case (.bulkChunk, .betweenRequests), (.bulkEnd, .betweenRequests):
            break
        case (.inline(let line), _):
            // The state stays: an inline line inside an array request leaves the array's count as it was.
            arguments.reset()
            Self.splitInline(line, into: &arguments)
            if arguments.count > 0 { completeRequest(head, timestampNanos: timestampNanos, emit: emit) }
        case (.simple, _):
            parserHealth.parseErrors += 1
        }
    }

    /// One argument of the array request being read is complete.
    private mutating func finishArgument(timestampNanos: Int64, emit: (inout Message) -> Void) {
        guard case .readingArguments(let request, let remaining, let argumentOpen) = requestState else { return }
        if remaining > 1 {
            requestState = .readingArguments(request, remaining: remaining - 1, argumentOpen: argumentOpen)
        } else {
            requestState = .betweenRequests
            completeRequest(request, timestampNanos: timestampNanos, emit: emit)
        }
    }

    /// Telnet-style commands: words split on blanks, double quotes group words.
    static func splitInline(_ line: ByteView, into arguments: inout RESPArguments) {
        var index = 0
        let count = line.count
        while index < count {
            while index < count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            guard index < count else { break }
            var start = index
            var end: Int
            if line[index] == UInt8(ascii: "\"") {
                start = index + 1
                end = start
                while end < count, line[end] != UInt8(ascii: "\"") { end += 1 }
                index = min(count, end + 1)
            } else {
                end = index
                while end < count, line[end] != 0x20, line[end] != 0x09 { end += 1 }
                index = end
            }
            if arguments.begin() {
                arguments.append(line.extracting(start..<end))
            }
        }
    }

    private mutating func completeRequest(_ head: RequestHead, timestampNanos: Int64, emit: (inout Message) -> Void) {
        let entry = commands.lookup(arguments)
        var role = Role.plain
        var isClientReply = false
        switch entry?._withUnsafeGuaranteedRef({ $0.role }) {
        case .plain, nil: break
        case .multi: role = .multi
        case .exec: role = .exec
        case .discard: role = .discard
        case .subscribe: role = .subscribe(channels: max(1, arguments.count - 1))
        case .clientReply: isClientReply = true
        }
        var expectsReply: Bool
        switch replyMode {
        case .on: expectsReply = true
        case .off: expectsReply = false
        case .skipNext:
            expectsReply = false
            replyMode = .on
        }
        if isClientReply, arguments.count > 2 {
            if arguments.equalsIgnoringCase(2, Array("OFF".utf8)) {
                replyMode = .off
                expectsReply = false
            } else if arguments.equalsIgnoringCase(2, Array("SKIP".utf8)) {
                // SKIP while replies are off leaves them off (the server ignores it then).
                if case .on = replyMode { replyMode = .skipNext }
                expectsReply = false
            } else if arguments.equalsIgnoringCase(2, Array("ON".utf8)) {
                replyMode = .on
                expectsReply = true
            }
        }
        if !expectsReply && pending.isEmpty {
            var request = PendingRequest(
                message: .blank(flow: flow, wireProtocol: .resp), lastByteNanos: 0,
                expectsReply: false, role: .plain)
            Self.describe(
                &request, entry: entry, arguments: arguments, firstNanos: head.firstNanos,
                lastNanos: timestampNanos, requestBytes: head.bytes, requestOffset: head.streamOffset,
                expectsReply: expectsReply, role: role, flow: flow)
            emit(&request.message)
            return
        }
        if pending.count >= maxPending, var oldest = pending.popFirst() {
            if !oldest.expectsReply { pendingWithoutReply -= 1 }
            parserHealth.unansweredRequests += 1
            emit(&oldest.message)
        }
        if !expectsReply { pendingWithoutReply += 1 }
        // Written over a slot's old request: a new message made there and destroyed after its reply
        // cost more than reading the request.
        pending.append(reusing: { request in
            Self.describe(
                &request, entry: entry, arguments: arguments, firstNanos: head.firstNanos,
                lastNanos: timestampNanos, requestBytes: head.bytes, requestOffset: head.streamOffset,
                expectsReply: expectsReply, role: role, flow: flow)
        })
    }

    /// Sets every field of a request (but its flow and protocol) to the one just read into the
    /// argument list.
    /// Static, with the request's fields as arguments: it runs while the queue is being changed.
    @inline(__always)
    private static func describe(
        _ request: inout PendingRequest, entry: Unmanaged<RedisCommandEntry>?,
        arguments: RESPArguments, firstNanos: Int64, lastNanos: Int64, requestBytes: Int,
        requestOffset: Int, expectsReply: Bool, role: Role, flow: FlowID
    ) {
        request.stamp(
            firstNanos: firstNanos, lastNanos: lastNanos, requestBytes: requestBytes,
            requestOffset: requestOffset, expectsReply: expectsReply, role: role, flow: flow)
        if let entry {
            request.name(entry)
            entry._withUnsafeGuaranteedRef { RedisCommandTable.replaceKeys(&request.message.keys, of: arguments, entry: $0) }
        } else {
            request.name(unknown: arguments.count > 0 ? String(arguments.upperText(0).prefix(32)) : "?")
            request.message.keys.removeAll()
        }
    }

    // MARK: Whole messages, read in place

    /// Reads the whole requests at the start of `bytes` without copying them; returns how many
    /// bytes they took. Stops at a request that is incomplete or not a plain array of bulk
    /// strings: the token reader takes it from there, with its error handling.
    private mutating func readWholeRequests(
        _ bytes: ByteView, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Int {
        var cursor = ByteCursor(bytes)
        // Once, not per request: the spans must not outlive the input.
        defer { arguments.reset() }
        pending.makeUnique()
        while !cursor.isAtEnd {
            let start = cursor.offset
            guard cursor.read(UInt8(ascii: "*")), let count = cursor.readLengthLine(),
                count > 0, count <= Self.maxWholeArguments
            else { return start }
            if let next = oneKeyRequest(cursor, arguments: count, requestStart: start, timestampNanos: timestampNanos) {
                cursor = next
                continue
            }
            arguments.borrow(bytes)
            guard arguments.reserve(count) else { return start }
            for _ in 0..<count {
                guard let argument = Self.readBulkString(&cursor) else { return start }
                arguments.appendBorrowedReserved(start: argument.start, length: argument.length)
            }
            let head = RequestHead(
                bytes: cursor.offset - start, firstNanos: timestampNanos, streamOffset: requestReader.streamOffset + start)
            completeRequest(head, timestampNanos: timestampNanos, emit: emit)
        }
        return cursor.count
    }

    /// Reads and queues a whole request of a cached command whose one key is its first argument
    /// (GET, SET, INCR, …: most traffic) without an argument list; returns the cursor after it.
    /// Nil, with nothing changed, for anything else or when the connection's state needs the
    /// general path (replies off or skipped, a full queue).
    @inline(__always)
    private mutating func oneKeyRequest(
        _ cursor: ByteCursor, arguments count: Int, requestStart: Int, timestampNanos: Int64
    ) -> ByteCursor? {
        var cursor = cursor
        guard count >= 2, case .on = replyMode, pending.count < maxPending,
            let command = Self.readBulkString(&cursor),
            let word = cursor.peekWord(at: command.start, length: command.length),
            let entry = commands.cached((word, command.length)),
            entry._withUnsafeGuaranteedRef({ $0.hasOneKeyFirst }),
            let key = Self.readBulkString(&cursor),
            let keyBytes = cursor.bytes(at: key.start, count: min(key.length, arguments.maxStoredBytes))
        else { return nil }
        for _ in 2..<count {
            guard Self.readBulkString(&cursor) != nil else { return nil }
        }
        let offset = requestReader.streamOffset + requestStart
        let requestBytes = cursor.offset - requestStart
        pending.appendToUnique(reusing: { request in
            request.stamp(
                firstNanos: timestampNanos, lastNanos: timestampNanos, requestBytes: requestBytes,
                requestOffset: offset, expectsReply: true, role: .plain, flow: flow)
            request.name(entry)
            request.message.keys.replaceAll(withKey: keyBytes)
        })
        return cursor
    }

    /// Reads a whole bulk string (`$3\r\nGET\r\n`): where its bytes start and how many; nil,
    /// with the cursor where it was, when it is not one or not all there.
    @inline(__always)
    private static func readBulkString(_ cursor: inout ByteCursor) -> (start: Int, length: Int)? {
        let start = cursor.offset
        guard cursor.read(UInt8(ascii: "$")), let length = cursor.readLengthLine() else {
            cursor.offset = start
            return nil
        }
        let bytesStart = cursor.offset
        guard cursor.advance(by: length), cursor.readCRLF() else {
            cursor.offset = start
            return nil
        }
        return (bytesStart, length)
    }

    /// Reads the whole simple replies (`+`, `-`, `:`, bulk strings) at the start of `bytes`;
    /// returns how many bytes they took. Aggregates and RESP3 types go to the token reader.
    private mutating func readWholeReplies(
        _ bytes: ByteView, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Int {
        var cursor = ByteCursor(bytes)
        pending.makeUnique()
        while let kind = cursor.peek() {
            let start = cursor.offset
            var isNull = false
            var line = ByteView.empty
            cursor.advance(by: 1)
            switch kind {
            case UInt8(ascii: "$"):
                if cursor.peekUInt16(at: cursor.offset) == Self.minusOne, cursor.peekUInt16(at: cursor.offset + 2) == ByteCursor.crlf {
                    isNull = true
                    cursor.advance(by: 4)
                } else {
                    guard let length = cursor.readLengthLine(), cursor.advance(by: length), cursor.readCRLF() else { return start }
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"):
                guard let read = cursor.readLine(strict: true) else { return start }
                line = read
            default:
                return start
            }
            let index = cursor.offset
            let isQueued = kind == UInt8(ascii: "+") && bytesEqual(line, "QUEUED")
            if kind != UInt8(ascii: "-"), !isQueued,
                answerPlainFront(
                    isNull: isNull, bytes: index - start,
                    firstByteNanos: timestampNanos, emit: emit)
            {
                continue
            }
            reply.reset(firstByteNanos: timestampNanos)
            reply.isNull = isNull
            reply.queued = isQueued
            if kind == UInt8(ascii: "-") { reply.errorKind = Self.errorKind(line) }
            reply.bytes = index - start
            replyState = .inReply(bulk: nil)
            finishReply(emit: emit)
        }
        return cursor.count
    }

    /// Answers the front request with a plain reply (a value, a nil, `+OK`, an integer) and emits
    /// it, when that is all `finishReply` would do: the request is a plain one complete before the
    /// reply began and none ahead of it expects no reply. False, with nothing changed, otherwise.
    /// Most replies are answered here, without the general reply's bookkeeping.
    @inline(__always)
    private mutating func answerPlainFront(
        isNull: Bool, bytes: Int, firstByteNanos: Int64,
        emit: (inout Message) -> Void
    ) -> Bool {
        guard pendingWithoutReply == 0, !pending.isEmpty, case .plain = pending[0].role,
            pending[0].lastByteNanos <= firstByteNanos
        else { return false }
        pending.removeFirstOfUnique { request in
            request.answerPlain(isNull: isNull, bytes: bytes, latency: firstByteNanos - request.lastByteNanos)
            emit(&request.message)
        }
        return true
    }

    private static let maxWholeArguments = 1_024
    /// `-1` as `ByteCursor.peekUInt16` reads it: a null bulk string's length.
    private static var minusOne: UInt16 { UInt16(littleEndian: 0x312d) }

    // MARK: Replies

    private mutating func replyToken(
        _ token: RESPReader.Token, wireBytes: Int, timestampNanos: Int64,
        emit: (inout Message) -> Void
    ) {
        if replyState.isBetweenReplies {
            replyState = .inReply(bulk: nil)
            reply.reset(firstByteNanos: timestampNanos)
            if !firstElementText.isEmpty { firstElementText.removeAll(keepingCapacity: true) }
            if !errorText.isEmpty { errorText.removeAll(keepingCapacity: true) }
        }
        reply.bytes += wireBytes
        let depth = replyStack.count
        switch token {
        case .aggregate(let kind, let count):
            let isAttribute = kind == UInt8(ascii: "|")
            if depth == 0, !isAttribute {
                reply.isPush = kind == UInt8(ascii: ">")
                reply.isNull = count < 0
            }
            let elements = kind == UInt8(ascii: "%") || isAttribute ? count * 2 : count
            if elements > 0 {
                replyStack.append((elements, isAttribute))
            } else {
                valueCompleted(
                    isNull: count < 0, isError: false, bytes: 0, isAttribute: isAttribute,
                    timestampNanos: timestampNanos, emit: emit)
            }
        case .simple(let kind, let line):
            let isError = kind == UInt8(ascii: "-")
            let isNull = kind == UInt8(ascii: "_")
            if isError, depth == 0 { errorText = Array(line.prefix(32)) }
            if depth == 0 {
                reply.isNull = isNull
                if kind == UInt8(ascii: "+"), bytesEqual(line, "QUEUED") { reply.queued = true }
            }
            valueCompleted(
                isNull: isNull, isError: isError, bytes: line.count, isAttribute: false,
                timestampNanos: timestampNanos, emit: emit)
        case .bulkHeader(let kind, let length):
            replyState = .inReply(bulk: (max(0, length), kind == UInt8(ascii: "!")))
            if length < 0 {
                replyState = .inReply(bulk: nil)
                if depth == 0 { reply.isNull = true }
                valueCompleted(
                    isNull: true, isError: false, bytes: 0, isAttribute: false,
                    timestampNanos: timestampNanos, emit: emit)
            }
        case .bulkChunk(let chunk):
            guard case .inReply(let bulk?) = replyState else { break }
            if depth == 0, bulk.isError, errorText.count < 32 { errorText += chunk.prefix(32 - errorText.count) }
            if depth == 1, replyStack.last?.isAttribute == false, reply.elements.isEmpty, firstElementText.count < 16 {
                firstElementText += chunk.prefix(16 - firstElementText.count)
            }
        case .bulkEnd:
            guard case .inReply(let bulk?) = replyState else { break }
            replyState = .inReply(bulk: nil)
            valueCompleted(
                isNull: false, isError: bulk.isError, bytes: bulk.bytes, isAttribute: false,
                timestampNanos: timestampNanos, emit: emit)
        case .inline:
            break
        }
    }

    private mutating func valueCompleted(
        isNull: Bool, isError: Bool, bytes: Int, isAttribute: Bool,
        timestampNanos: Int64, emit: (inout Message) -> Void
    ) {
        var completedAttribute = isAttribute
        var isNull = isNull, isError = isError, bytes = bytes
        while true {
            if replyStack.isEmpty {
                if completedAttribute {
                    // An attribute precedes the real reply: keep reading.
                    replyState = .inReply(bulk: nil)
                    return
                }
                if isError { reply.errorKind = Self.errorKind(errorText) }
                finishReply(emit: emit)
                return
            }
            if completedAttribute {
                completedAttribute = false
                if replyStack.count == 1, replyStack[0].isAttribute == false { return }
                return
            }
            if replyStack.count == 1, !replyStack[0].isAttribute, reply.elements.count < 65_536 {
                reply.elements.append((isNull, isError, bytes))
            }
            replyStack[replyStack.count - 1].remaining -= 1
            guard replyStack[replyStack.count - 1].remaining == 0 else { return }
            let finished = replyStack.removeLast()
            completedAttribute = finished.isAttribute
            isNull = false
            isError = false
            bytes = 0
        }
    }

    private mutating func finishReply(emit: (inout Message) -> Void) {
        replyState = .betweenReplies
        // RESP2 pub/sub messages arrive as arrays whose first element names them.
        if !reply.isPush, !reply.elements.isEmpty {
            switch String(decoding: firstElementText, as: UTF8.self).lowercased() {
            case "message", "pmessage", "smessage": reply.isPush = true
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
                reply.isSubscription = true
            default: break
            }
        } else if reply.isPush {
            let kind = String(decoding: firstElementText, as: UTF8.self).lowercased()
            if kind.hasSuffix("subscribe") { reply.isSubscription = true }
        }
        if reply.isPush, !reply.isSubscription {
            return  // out-of-band: answers no request
        }
        if reply.isSubscription {
            // Confirmations: the first answers the SUBSCRIBE; the others (one per channel) answer nothing.
            guard !pending.isEmpty, case .subscribe(let channels) = pending[0].role else { return }
            if channels > 1 {
                pending[0].role = .subscribe(channels: channels - 1)
                return
            }
        }
        // The answered request is read and changed where it waits: moving ~250 bytes out of the
        // queue and through optionals cost more than the rest of the pairing.
        guard frontIsAnswerable(before: reply.firstByteNanos) else {
            parserHealth.unpairedReplies += 1
            return
        }
        let latency = max(0, reply.firstByteNanos - pending[0].lastByteNanos)
        let role = pending[0].role
        if reply.queued, case .plain = role {
            if let request = pending.popFirst() { queued.append(request) }
            emitNoReplyFront(emit: emit)
            return
        }
        switch role {
        case .exec:
            // EXEC's array answers the queued commands in order.
            let commands = queued
            queued.removeAll()
            for (index, queuedRequest) in commands.enumerated() {
                var answered = queuedRequest
                if index < reply.elements.count {
                    let element = reply.elements[index]
                    let status: ReplyStatus =
                        element.isError
                        ? .error(kind: "EXECABORT")
                        : element.isNull && answered.operation == .read ? .miss : .ok
                    if answered.operation == .read, answered.message.keys.count == 1 {
                        answered.message.keys.setOutcome(at: 0, hit: !element.isNull, valueBytes: element.bytes)
                    }
                    answered.answer(status: status, replyBytes: element.bytes, latency: latency)
                } else if reply.isNull {
                    answered.answer(status: .error(kind: "EXECABORT"), replyBytes: 0, latency: nil)
                }
                emit(&answered.message)
            }
        case .discard:
            for var queuedRequest in queued { emit(&queuedRequest.message) }
            queued.removeAll()
        default:
            break
        }
        // Answered and emitted where it waits, then dropped: neither moved out nor copied.
        pending.removeFirst { request in
            request.answer(with: reply, latency: latency)
            emit(&request.message)
        }
        emitNoReplyFront(emit: emit)
    }

    /// True when the oldest request that waits for a reply, now at the front, was complete
    /// before the reply began.
    private mutating func frontIsAnswerable(before replyStart: Int64) -> Bool {
        emitNothingButSkipNoReply()
        return !pending.isEmpty && pending[0].lastByteNanos <= replyStart
    }

    /// Requests that expect no reply and stand at the front are emitted by `emitNoReplyFront`;
    /// here they only must not be taken as the answer's owner.
    private mutating func emitNothingButSkipNoReply() {
        guard pendingWithoutReply > 0 else { return }
        if let index = pending.firstIndex(where: { $0.expectsReply }) { pending.moveToFront(index) }
    }

    private mutating func emitNoReplyFront(emit: (inout Message) -> Void) {
        guard pendingWithoutReply > 0 else { return }
        while !pending.isEmpty, !pending[0].expectsReply, var first = pending.popFirst() {
            pendingWithoutReply -= 1
            emit(&first.message)
        }
    }

    /// The error's first word: `ERR`, `WRONGTYPE`, `MOVED`, `ASK`, …
    static func errorKind(_ text: some Collection<UInt8>) -> ErrorKind {
        let word = text.prefix { $0 != 0x20 && $0 != 0x0d && $0 != 0x0a }
        return word.isEmpty ? "ERR" : ErrorKind(word)
    }
}
