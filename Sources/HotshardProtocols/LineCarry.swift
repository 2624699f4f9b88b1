import HotshardBytes

/// The start of a line that one feed ended in, kept until the next feed brings its end; bounded,
/// so that a stream without newlines cannot grow it. Shared by the line-oriented readers.
struct LineCarry {
    private var buffer: [UInt8] = []
    let maxLineBytes: Int

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    var isEmpty: Bool { buffer.isEmpty }
    var count: Int { buffer.count }

    mutating func clear() {
        buffer.removeAll(keepingCapacity: true)
    }

    /// Keeps `bytes`, the unfinished start (or middle) of a line. False, and the line is dropped,
    /// when it would pass `maxLineBytes`.
    mutating func hold(_ bytes: ByteView) -> Bool {
        guard buffer.count + bytes.count <= maxLineBytes else {
            clear()
            return false
        }
        buffer.append(contentsOf: bytes)
        return true
    }

    /// The whole line: what was kept followed by `end` (through its newline), moved out so that
    /// the caller may parse it while changing its own state; nil, and the line dropped, when it
    /// would pass `maxLineBytes`. Hand the array back with `reuse` to keep its storage.
    mutating func take(appending end: ByteView) -> [UInt8]? {
        guard buffer.count + end.count <= maxLineBytes else {
            clear()
            return nil
        }
        buffer.append(contentsOf: end)
        var line: [UInt8] = []
        swap(&line, &buffer)
        return line
    }

    mutating func reuse(_ storage: inout [UInt8]) {
        guard buffer.isEmpty else { return }
        storage.removeAll(keepingCapacity: true)
        swap(&storage, &buffer)
    }
}
