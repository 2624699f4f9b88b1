import HotshardBytes

/// Tokenizes one direction of a RESP2/RESP3 byte stream incrementally.
///
/// Lines are parsed in place; only a line split across two feeds is copied (bounded by
/// `maxLineBytes`). Bulk payloads are streamed in chunks and never buffered whole. After
/// garbage or a gap the reader skips to the next plausible message start and counts what it skipped.
struct RESPReader {
    enum Token {
        /// `*`, `%`, `~`, `>`, `|` with their element count (-1 for a null aggregate).
        case aggregate(kind: UInt8, count: Int)
        /// `+ - : , # _ (` with the line after the type byte.
        case simple(kind: UInt8, line: ByteView)
        /// `$ ! =` with the payload length (-1 for a null bulk string).
        case bulkHeader(kind: UInt8, length: Int)
        case bulkChunk(ByteView)
        case bulkEnd
        /// A request line that is not RESP (telnet-style inline command).
        case inline(ByteView)
    }

    private enum State {
        case line
        case bulk(remaining: Int)
        case bulkTerminator(remaining: Int)
        case resync
    }

    let isRequestSide: Bool
    let maxLineBytes: Int
    let maxBulkBytes: Int
    let maxAggregateCount: Int
    private var state: State
    private var carry: LineCarry
    /// Set when `emit` said a message ended: `consume` returns at the next boundary.
    private var stopRequested = false
    /// True at a message boundary: where resynchronisation may stop.
    private var atLineStart = true
    var health = ParserHealth()
    /// Offset in this direction's stream of the next byte fed (gaps and bytes read by the caller
    /// included: see `skip`).
    private(set) var streamOffset = 0

    init(
        isRequestSide: Bool, maxLineBytes: Int = 65_536, maxBulkBytes: Int = 512 << 20,
        maxAggregateCount: Int = 1 << 20
    ) {
        self.isRequestSide = isRequestSide
        self.maxLineBytes = maxLineBytes
        self.maxBulkBytes = maxBulkBytes
        self.maxAggregateCount = maxAggregateCount
        self.state = .line
        carry = LineCarry(maxLineBytes: maxLineBytes)
    }

    /// Drops partial state and looks for the next message start (after a gap or garbage).
    mutating func resynchronise() {
        carry.clear()
        state = .resync
        health.resyncs += 1
    }

    /// `length` bytes of the stream were lost, or read by the caller itself: offsets after them stay true.
    mutating func skip(_ length: Int) {
        streamOffset += max(0, length)
    }

    /// True between messages, with nothing carried over: where a caller may read whole messages itself.
    var isAtMessageBoundary: Bool {
        guard case .line = state else { return false }
        return carry.isEmpty
    }

    /// Feeds bytes; `emit` receives each token with the number of wire bytes it covered and the
    /// stream offset just after it, and returns true when a message just ended. The reader then
    /// stops at that boundary, and returns how many bytes it consumed (all of them otherwise).
    mutating func consume(_ bytes: ByteView, emit: (Token, Int, Int) -> Bool) -> Int {
        var index = 0
        let count = bytes.count
        let base = streamOffset
        defer { streamOffset = base + index }
        stopRequested = false
        while index < count {
            if stopRequested, isAtMessageBoundary { return index }
            switch state {
            case .bulk(let remaining):
                let take = min(remaining, count - index)
                deliver(
                    emit, .bulkChunk(bytes.extracting(index..<(index + take))), take,
                    end: base + index + take)
                index += take
                state = remaining - take == 0 ? .bulkTerminator(remaining: 2) : .bulk(remaining: remaining - take)
            case .bulkTerminator(let remaining):
                let take = min(remaining, count - index)
                index += take
                if remaining - take == 0 {
                    state = .line
                    deliver(emit, .bulkEnd, 2, end: base + index)
                } else {
                    state = .bulkTerminator(remaining: remaining - take)
                }
            case .resync:
                // A message starts after a newline with a type byte (and, for requests, `*<digit>`).
                while index < count {
                    let byte = bytes[index]
                    if atLineStart, isPlausibleStart(byte, next: bytes.byte(at: index + 1)) {
                        state = .line
                        break
                    }
                    atLineStart = byte == UInt8(ascii: "\n")
                    health.skippedBytes += 1
                    index += 1
                }
            case .line:
                guard let newline = bytes.firstIndex(of: 0x0a, from: index) else {
                    let held = carry.count
                    if !carry.hold(bytes.extracting(index..<count)) {
                        health.oversized += 1
                        health.parseErrors += 1
                        health.skippedBytes += held + count - index
                        atLineStart = false
                        state = .resync
                        health.resyncs += 1
                    }
                    index = count
                    return count
                }
                let lineBytes = newline + 1 - index
                if carry.isEmpty {
                    let line = bytes.extracting(index..<(newline + 1))
                    handleLine(line, wireBytes: lineBytes, streamEnd: base + newline + 1, emit: emit)
                } else {
                    let held = carry.count
                    if var joined = carry.take(appending: bytes.extracting(index..<(newline + 1))) {
                        joined.withByteView { handleLine($0, wireBytes: joined.count, streamEnd: base + newline + 1, emit: emit) }
                        carry.reuse(&joined)
                    } else {
                        health.oversized += 1
                        health.parseErrors += 1
                        health.skippedBytes += held + lineBytes
                    }
                }
                index = newline + 1
                atLineStart = true
            }
        }
        return count
    }

    private func isPlausibleStart(_ byte: UInt8, next: UInt8?) -> Bool {
        if isRequestSide {
            guard byte == UInt8(ascii: "*") else { return false }
            guard let next else { return true }
            return next >= 0x30 && next <= 0x39
        }
        switch byte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"),
            UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "_"), UInt8(ascii: ","),
            UInt8(ascii: "#"), UInt8(ascii: "("), UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: "|"):
            return true
        default:
            return false
        }
    }

    /// One complete line including its `\n` (and usually `\r\n`).
    private mutating func handleLine(
        _ line: ByteView, wireBytes: Int,
        streamEnd: Int, emit: (Token, Int, Int) -> Bool
    ) {
        var end = line.count - 1
        if end > 0, line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > 0 else {
            // An empty line: tolerated between inline commands, garbage otherwise.
            if !isRequestSide { protocolError(wireBytes) }
            return
        }
        let kind = line[0]
        let body = line.extracting(1..<end)
        if isRequestSide, kind != UInt8(ascii: "*"), kind != UInt8(ascii: "$") {
            // Requests are arrays of bulk strings, or inline commands (telnet style).
            deliver(emit, .inline(line.extracting(0..<end)), wireBytes, end: streamEnd)
            return
        }
        switch kind {
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "|"):
            guard let count = Self.decimal(body), count >= -1 else { return protocolError(wireBytes) }
            guard count <= maxAggregateCount else {
                health.oversized += 1
                return protocolError(wireBytes)
            }
            deliver(emit, .aggregate(kind: kind, count: count), wireBytes, end: streamEnd)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            guard let length = Self.decimal(body), length >= -1 else { return protocolError(wireBytes) }
            guard length <= maxBulkBytes else {
                health.oversized += 1
                return protocolError(wireBytes)
            }
            deliver(emit, .bulkHeader(kind: kind, length: length), wireBytes, end: streamEnd)
            if length >= 0 { state = length == 0 ? .bulkTerminator(remaining: 2) : .bulk(remaining: length) }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "#"),
            UInt8(ascii: "_"), UInt8(ascii: "("):
            deliver(emit, .simple(kind: kind, line: body), wireBytes, end: streamEnd)
        default:
            protocolError(wireBytes)
        }
    }

    @inline(__always)
    private mutating func deliver(_ emit: (Token, Int, Int) -> Bool, _ token: Token, _ wireBytes: Int, end: Int) {
        if emit(token, wireBytes, end) { stopRequested = true }
    }

    private mutating func protocolError(_ wireBytes: Int) {
        health.parseErrors += 1
        health.skippedBytes += wireBytes
        state = .resync
        health.resyncs += 1
    }

    /// A decimal integer from the wire, nil when malformed or beyond 18 digits.
    static func decimal(_ bytes: ByteView) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value = 0
        var negative = false
        for (offset, byte) in bytes.enumerated() {
            if offset == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value &* 10 &+ Int(byte - 0x30)
        }
        if negative, bytes.count == 1 { return nil }
        return negative ? -value : value
    }
}
