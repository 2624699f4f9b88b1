import HotshardBytes

/// Frames of the memcached binary protocol from one direction: the 24-byte header and the key
/// are kept; extras and values are skipped without being buffered.
struct BinaryFrameReader {
    struct Frame {
        var opcode: UInt8 = 0
        var status: UInt16 = 0
        var opaque: UInt32 = 0
        var key: [UInt8] = []
        var valueBytes = 0
        var totalBytes = 0
        var firstNanos: Int64 = 0
        /// Where the frame's first byte lies in this direction's stream.
        var streamOffset = 0
    }

    /// Bodies above this are counted as oversized and the stream resynchronises.
    static let maxBodyBytes = 64 << 20
    private var header: [UInt8] = []
    private var frame = Frame()
    private var extrasRemaining = 0
    private var keyRemaining = 0
    private var valueRemaining = 0
    private var inBody = false
    var health = ParserHealth()
    /// Offset in this direction's stream of the next byte fed (gaps included: see `skip`).
    private(set) var streamOffset = 0

    /// `length` bytes of the stream were lost: offsets after them stay true.
    mutating func skip(_ length: Int) {
        streamOffset += max(0, length)
    }

    mutating func reset() {
        header.removeAll(keepingCapacity: true)
        inBody = false
        frame = Frame()
    }

    mutating func consume(
        _ bytes: ByteView, timestampNanos: Int64, expectedMagic: UInt8,
        onFrame: (Frame) -> Void
    ) {
        var cursor = ByteCursor(bytes)
        let base = streamOffset
        defer { streamOffset = base + bytes.count }
        while !cursor.isAtEnd {
            if !inBody {
                if header.isEmpty {
                    // Resynchronise on the magic byte.
                    let magic = cursor.firstIndex(of: expectedMagic, from: cursor.offset) ?? cursor.count
                    health.skippedBytes += magic - cursor.offset
                    cursor.advance(by: magic - cursor.offset)
                    guard !cursor.isAtEnd else { return }
                    frame = Frame()
                    frame.firstNanos = timestampNanos
                    frame.streamOffset = base + cursor.offset
                }
                if let piece = cursor.readBytes(min(24 - header.count, cursor.remaining)) { header.append(contentsOf: piece) }
                guard header.count == 24 else { return }
                let keyLength = Int(header[2]) << 8 | Int(header[3])
                let extrasLength = Int(header[4])
                let body = Int(header[8]) << 24 | Int(header[9]) << 16 | Int(header[10]) << 8 | Int(header[11])
                guard body <= Self.maxBodyBytes, keyLength + extrasLength <= body else {
                    health.parseErrors += 1
                    health.oversized += body > Self.maxBodyBytes ? 1 : 0
                    health.resyncs += 1
                    header.removeAll(keepingCapacity: true)
                    continue
                }
                frame.opcode = header[1]
                frame.status = UInt16(header[6]) << 8 | UInt16(header[7])
                frame.opaque = UInt32(header[12]) << 24 | UInt32(header[13]) << 16 | UInt32(header[14]) << 8 | UInt32(header[15])
                frame.totalBytes = 24 + body
                frame.valueBytes = body - keyLength - extrasLength
                extrasRemaining = extrasLength
                keyRemaining = keyLength
                valueRemaining = body - keyLength - extrasLength
                header.removeAll(keepingCapacity: true)
                inBody = true
            }
            let skipExtras = min(extrasRemaining, cursor.remaining)
            extrasRemaining -= skipExtras
            cursor.advance(by: skipExtras)
            if keyRemaining > 0, let piece = cursor.readBytes(min(keyRemaining, cursor.remaining)) {
                frame.key.append(contentsOf: piece)
                keyRemaining -= piece.count
            }
            let skipValue = min(valueRemaining, cursor.remaining)
            valueRemaining -= skipValue
            cursor.advance(by: skipValue)
            if extrasRemaining == 0, keyRemaining == 0, valueRemaining == 0 {
                inBody = false
                onFrame(frame)
            }
        }
    }
}
