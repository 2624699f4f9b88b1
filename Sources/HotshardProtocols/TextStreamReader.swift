import HotshardBytes

/// One direction of a line-oriented protocol with length-counted data blocks (memcached text,
/// HTTP headers): lines are handed out in place; a line split across feeds is joined in a small
/// bounded buffer; data blocks are skipped (counted) without being buffered.
struct TextStreamReader {
    private var carry: LineCarry
    /// Bytes of a data block still to skip.
    private(set) var skipping = 0
    let maxLineBytes: Int
    var health = ParserHealth()
    /// Offset in this direction's stream of the next byte fed (gaps included: see `skip`).
    private(set) var streamOffset = 0

    init(maxLineBytes: Int = 16_384) {
        self.maxLineBytes = maxLineBytes
        carry = LineCarry(maxLineBytes: maxLineBytes)
    }

    mutating func reset() {
        carry.clear()
        skipping = 0
    }

    /// `length` bytes of the stream were lost: offsets after them stay true.
    mutating func skip(_ length: Int) {
        streamOffset += max(0, length)
    }

    /// Feeds bytes. `onLine` gets each line without its CRLF, its wire bytes and the stream offset
    /// just after it, and returns how many bytes of data block follow it (0 for none); `onData`
    /// gets each skipped chunk's length.
    mutating func consume(
        _ bytes: ByteView, onLine: (ByteView, Int, Int) -> Int,
        onData: (Int) -> Void = { _ in }
    ) {
        var index = 0
        let count = bytes.count
        let origin = streamOffset
        defer { streamOffset = origin + count }
        while index < count {
            if skipping > 0 {
                let take = min(skipping, count - index)
                skipping -= take
                index += take
                onData(take)
                continue
            }
            guard let newline = bytes.firstIndex(of: 0x0a, from: index) else {
                let held = carry.count
                if !carry.hold(bytes.extracting(index..<count)) {
                    health.oversized += 1
                    health.parseErrors += 1
                    health.skippedBytes += held + count - index
                }
                return
            }
            let wire = newline + 1 - index
            if carry.isEmpty {
                var end = newline
                if end > index, bytes.byte(at: end - 1) == 0x0d { end -= 1 }
                skipping = onLine(bytes.extracting(index..<end), wire, origin + newline + 1)
            } else {
                let held = carry.count
                if var joined = carry.take(appending: bytes.extracting(index..<(newline + 1))) {
                    var end = joined.count - 1
                    if end > 0, joined[end - 1] == 0x0d { end -= 1 }
                    skipping = joined.withByteView { onLine($0.extracting(0..<end), joined.count, origin + newline + 1) }
                    carry.reuse(&joined)
                } else {
                    health.oversized += 1
                    health.parseErrors += 1
                    health.skippedBytes += held + wire
                }
            }
            index = newline + 1
        }
    }
}

/// Splits lines into space-separated words (ranges into the line), into storage kept from one
/// line to the next: a line costs no allocation, and a word is one store (appending to an array
/// checked its capacity and uniqueness per word, and handing out the array retained it: a third of
/// the memcached text parser's time).
struct LineWords {
    /// The words of one line. They hold their storage, so that the next `split` writes elsewhere
    /// while they live (in practice they are read at once, where split, and it is reused).
    struct Words: RandomAccessCollection {
        /// Ranges of the line split, freed with the last copy.
        fileprivate let storage: FixedStorage<Range<Int>>
        let count: Int

        var startIndex: Int { 0 }
        var endIndex: Int { count }

        subscript(position: Int) -> Range<Int> {
            precondition(position >= 0 && position < count, "word index out of range")
            return storage[position]
        }
    }

    private var storage = FixedStorage<Range<Int>>(capacity: 16)

    mutating func split(_ line: ByteView, limit: Int = 4_096) -> Words {
        // A line has at most one word per two bytes; room for that, up to the limit, is made once.
        let room = min(limit, line.count / 2 + 1)
        if room > storage.capacity || !isKnownUniquelyReferenced(&storage) {
            storage = FixedStorage(capacity: max(room, storage.capacity))
        }
        let ranges = storage
        // Runs scanned by the view, its bounds checked once per run rather than per byte.
        let end = line.count
        var index = 0
        var words = 0
        while index < end, words < room {
            index = line.firstIndex(from: index) { $0 != 0x20 } ?? end
            let start = index
            index = line.firstIndex(from: index) { $0 == 0x20 } ?? end
            if index > start {
                ranges.write(start..<index, at: words)
                words += 1
            }
        }
        return Words(storage: storage, count: words)
    }
}

func decimal(_ bytes: ByteView) -> Int? {
    guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
    var value = 0
    for byte in bytes {
        guard byte >= 0x30, byte <= 0x39 else { return nil }
        value = value * 10 + Int(byte - 0x30)
    }
    return value
}

/// The byte with ASCII lower-case letters made upper case (command names, keywords).
@inline(__always)
func asciiUppercased(_ byte: UInt8) -> UInt8 {
    byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte
}

/// True when `bytes` are exactly the ASCII `text` (a generic `elementsEqual` against a String's
/// UTF-8 view cost a noticeable share of every reply line).
@inline(__always)
func bytesEqual(_ bytes: ByteView, _ text: StaticString) -> Bool {
    bytes.elementsEqual(text)
}

/// True when the two byte ranges hold the same bytes.
@inline(__always)
func bytesEqual(_ bytes: ByteView, _ other: ByteView) -> Bool {
    bytes.elementsEqual(other)
}

/// True when `bytes` begin with the ASCII `text`.
@inline(__always)
func bytesHavePrefix(_ bytes: ByteView, _ text: StaticString) -> Bool {
    bytes.hasPrefix(text)
}
