import HotshardBytes

/// Frames of AMQP 0-9-1 from one direction of a connection: the 7-byte header (type, channel,
/// size), the payload and the frame-end octet 0xCE. Method and content-header payloads are kept
/// (at most `maxBufferedPayload` bytes); body payloads are counted and skipped, never buffered.
///
/// A frame whose end octet is not 0xCE, or whose header is impossible (unknown type, a size over
/// `maxFrameBytes`), is counted as a parse error and the reader resynchronises: it skips to the
/// next 0xCE and accepts the bytes after it as a frame header only if that header is plausible.
/// Memory is bounded by `maxBufferedPayload` whatever the wire's lengths say.
package struct AMQPFrameReader {
    /// The frame types of AMQP 0-9-1 (RabbitMQ sends heartbeats as type 8).
    package enum FrameType: UInt8 {
        case method = 1
        case header = 2
        case body = 3
        case heartbeat = 8
    }

    /// One complete frame. `payload` holds the payload of method and header frames; body frames
    /// have an empty one and only their `size`.
    package struct Frame {
        package var type: FrameType
        package var channel: UInt16
        package var size: Int
        /// Where the frame's first byte lies in this direction's stream.
        package var streamOffset: Int
        /// When the frame's first byte was seen.
        package var firstNanos: Int64
    }

    private enum Phase {
        /// The client's `AMQP\0\0\9\1`; `matched` bytes of it seen so far.
        case protocolHeader(matched: Int)
        case header
        /// Payload bytes still to come; `keep` when they are buffered.
        case payload(remaining: Int, keep: Bool)
        case frameEnd
        /// Looking for the next 0xCE after a bad frame.
        case resync
    }

    package static let protocolHeader: [UInt8] = [0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]
    package static let frameEnd: UInt8 = 0xCE
    /// Frames above this are impossible here (RabbitMQ's frame_max is 128 KiB by default and
    /// negotiated far below 4 GiB in practice): a parse error, then resync.
    static let maxFrameBytes = 16 << 20
    /// Method and header payloads above this are counted as oversized and skipped.
    static let maxBufferedPayload = 1 << 20

    private var phase: Phase
    private var header: [UInt8] = []
    private var payload: [UInt8] = []
    private var frame = Frame(type: .heartbeat, channel: 0, size: 0, streamOffset: 0, firstNanos: 0)
    /// True from a bad frame until a frame ends well: implausible headers meanwhile are not new errors.
    private var resynchronising = false
    private var oversizedPayload = false
    package var health = ParserHealth()
    /// Offset in this direction's stream of the next byte fed (gaps included).
    private(set) var streamOffset = 0

    /// `client`: this direction starts with the protocol header.
    package init(client: Bool) {
        phase = client ? .protocolHeader(matched: 0) : .header
    }

    /// `length` bytes of the stream were lost. Lost body bytes cost nothing (bodies are only
    /// counted); anything else means the next byte's place in a frame is unknown: resync.
    /// Returns true when the frame in progress survives the gap.
    mutating func skip(_ length: Int) -> Bool {
        let length = max(0, length)
        streamOffset += length
        health.skippedBytes += length
        if case .payload(let remaining, let keep) = phase, !keep, length < remaining {
            phase = .payload(remaining: remaining - length, keep: false)
            return true
        }
        if case .protocolHeader = phase {
            // A capture that lost the header: frames follow.
            phase = .header
            header.removeAll(keepingCapacity: true)
            return true
        }
        header.removeAll(keepingCapacity: true)
        payload.removeAll(keepingCapacity: true)
        phase = .resync
        resynchronising = true
        health.resyncs += 1
        return false
    }

    /// Consumes in-order bytes; `onFrame` gets each frame that ended with 0xCE, with its payload
    /// (empty for bodies and oversized payloads), valid only during the call.
    package mutating func consume(
        _ bytes: ByteView, timestampNanos: Int64,
        onFrame: (Frame, ByteView) -> Void
    ) {
        var cursor = ByteCursor(bytes)
        let base = streamOffset
        defer { streamOffset = base + bytes.count }
        while let next = cursor.peek() {
            switch phase {
            case .protocolHeader(let matched):
                if next == Self.protocolHeader[matched] {
                    cursor.advance(by: 1)
                    phase = matched + 1 == Self.protocolHeader.count ? .header : .protocolHeader(matched: matched + 1)
                } else if matched == 0 {
                    // No protocol header: the capture started mid-connection.
                    phase = .header
                } else {
                    health.parseErrors += 1
                    health.resyncs += 1
                    health.skippedBytes += matched
                    resynchronising = true
                    phase = .resync
                }
            case .resync:
                let end = cursor.firstIndex(of: Self.frameEnd, from: cursor.offset) ?? cursor.count
                health.skippedBytes += end - cursor.offset
                cursor.advance(by: end - cursor.offset)
                guard cursor.readByte() != nil else { return }
                health.skippedBytes += 1
                header.removeAll(keepingCapacity: true)
                phase = .header
            case .header:
                if header.isEmpty {
                    frame.firstNanos = timestampNanos
                    frame.streamOffset = base + cursor.offset
                }
                if let piece = cursor.readBytes(min(7 - header.count, cursor.remaining)) { header.append(contentsOf: piece) }
                guard header.count == 7 else { return }
                startFrame()
            case .payload(let remaining, let keep):
                let take = min(remaining, cursor.remaining)
                if let piece = cursor.readBytes(take), keep { payload.append(contentsOf: piece) }
                phase = remaining - take == 0 ? .frameEnd : .payload(remaining: remaining - take, keep: keep)
            case .frameEnd:
                cursor.advance(by: 1)
                let octet = next
                header.removeAll(keepingCapacity: true)
                if octet == Self.frameEnd {
                    resynchronising = false
                    phase = .header
                    payload.withByteView { onFrame(frame, oversizedPayload ? .empty : $0) }
                } else {
                    health.parseErrors += 1
                    health.resyncs += 1
                    health.skippedBytes += 8 + frame.size
                    resynchronising = true
                    phase = .resync
                }
                payload.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The 7 header bytes are in: check them and start the payload, or resync within them.
    private mutating func startFrame() {
        let size = Int(header[3]) << 24 | Int(header[4]) << 16 | Int(header[5]) << 8 | Int(header[6])
        let channel = UInt16(header[1]) << 8 | UInt16(header[2])
        guard let type = FrameType(rawValue: header[0]), size <= Self.maxFrameBytes,
            type != .heartbeat || (size == 0 && channel == 0)
        else {
            if !resynchronising {
                health.parseErrors += 1
                health.resyncs += 1
                resynchronising = true
            }
            // The next frame may start inside these seven bytes, after a 0xCE among them.
            if let end = header.dropFirst().firstIndex(of: Self.frameEnd) {
                health.skippedBytes += end + 1
                header.removeFirst(end + 1)
                phase = .header
            } else {
                health.skippedBytes += header.count
                header.removeAll(keepingCapacity: true)
                phase = .resync
            }
            return
        }
        frame.type = type
        frame.channel = channel
        frame.size = size
        let keep = type == .method || type == .header
        oversizedPayload = keep && size > Self.maxBufferedPayload
        if oversizedPayload { health.oversized += 1 }
        payload.removeAll(keepingCapacity: true)
        phase = size == 0 ? .frameEnd : .payload(remaining: size, keep: keep && !oversizedPayload)
    }
}
