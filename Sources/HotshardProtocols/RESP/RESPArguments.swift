/// The arguments of one request, stored back to back in one reusable buffer.
///
/// An argument longer than `maxStoredBytes` keeps only its first bytes (a value, never a real
/// key, is that long in practice); its full length is still known. Reused across requests,
/// so the steady path does not allocate.
struct RESPArguments {
    private(set) var storage: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private(set) var fullLengths: [Int] = []
    let maxStoredBytes: Int
    let maxArguments: Int
    /// Arguments beyond `maxArguments` are counted, not stored.
    private(set) var droppedArguments = 0

    init(maxStoredBytes: Int = 4096, maxArguments: Int = 65_536) {
        self.maxStoredBytes = maxStoredBytes
        self.maxArguments = maxArguments
    }

    var count: Int { starts.count }

    mutating func reset() {
        storage.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        fullLengths.removeAll(keepingCapacity: true)
        droppedArguments = 0
    }

    /// Starts a new argument whose length on the wire is `fullLength`.
    mutating func begin(fullLength: Int) -> Bool {
        guard starts.count < maxArguments else {
            droppedArguments += 1
            return false
        }
        starts.append(storage.count)
        lengths.append(0)
        fullLengths.append(fullLength)
        return true
    }

    /// Appends bytes to the argument begun last, up to the storage cap.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let last = lengths.indices.last else { return }
        let room = maxStoredBytes - lengths[last]
        guard room > 0 else { return }
        let take = min(room, bytes.count)
        storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
        lengths[last] += take
    }

    func withArgument<T>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        storage.withUnsafeBytes { all in
            let start = starts[index], length = lengths[index]
            return body(UnsafeRawBufferPointer(rebasing: all[start..<(start + length)]))
        }
    }

    func key(_ index: Int) -> Key {
        withArgument(index) { Key($0) }
    }

    func equalsIgnoringCase(_ index: Int, _ upper: [UInt8]) -> Bool {
        guard index >= 0, index < count, lengths[index] == upper.count else { return false }
        return withArgument(index) { bytes in
            for (byte, expected) in zip(bytes, upper) {
                let folded = byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte
                if folded != expected { return false }
            }
            return true
        }
    }

    /// The argument as a decimal integer, nil when it is not one.
    func integer(_ index: Int) -> Int? {
        guard index >= 0, index < count, lengths[index] > 0, lengths[index] <= 18 else { return nil }
        return withArgument(index) { bytes in
            var value = 0
            var negative = false
            for (offset, byte) in bytes.enumerated() {
                if offset == 0, byte == UInt8(ascii: "-") { negative = true; continue }
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return negative ? -value : value
        }
    }

    /// Upper-case text of an argument (for command names: short, ASCII).
    func upperText(_ index: Int) -> String {
        withArgument(index) { bytes in
            String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7a ? $0 - 0x20 : $0 }, as: UTF8.self)
        }
    }
}
