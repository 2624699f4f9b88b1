import HotshardBytes

/// The table entries of the commands a connection sent lately, by their exact bytes: a pipeline
/// repeats a handful of commands, and finding one here costs a word compare where the table
/// costs a hash of the name, a probe and a check of the name.
///
/// Only commands of up to eight bytes without subcommands are kept (their entry depends on the
/// first argument alone). The same bytes always give the same entry, so a hit is exact.
struct RedisCommandCache {
    private struct Slot {
        var word: UInt64 = 0
        var length = 0
        /// The table holds its entries for the life of the process.
        var entry: Unmanaged<RedisCommandEntry>?
    }

    private var slots = InlineArray<8, Slot>(repeating: Slot())

    /// The entry of the request's command (`RedisCommandTable.lookup`'s answer), unretained: the
    /// table keeps it, and a retain and release of it per request cost as much as the rest of
    /// the lookup (read it with `_withUnsafeGuaranteedRef`).
    @inline(__always)
    mutating func lookup(_ arguments: RESPArguments) -> Unmanaged<RedisCommandEntry>? {
        if let command = arguments.shortCommand, let entry = cached(command) { return entry }
        return fill(arguments)
    }

    /// The slot's entry when it holds this command; nil otherwise. Mutating only so that the
    /// slots are read where they lie: a non-mutating read copied all eight to the stack first.
    @inline(__always)
    mutating func cached(_ command: (word: UInt64, length: Int)) -> Unmanaged<RedisCommandEntry>? {
        let index = Self.index(command.word)
        return slots[index].length == command.length && slots[index].word == command.word ? slots[index].entry : nil
    }

    /// The table's answer, kept for next time when the command can be. Apart from the hit path:
    /// the whole argument list is passed (and copied) only here.
    @inline(never)
    private mutating func fill(_ arguments: RESPArguments) -> Unmanaged<RedisCommandEntry>? {
        guard let found = RedisCommandTable.lookup(arguments) else { return nil }
        let unretained = Unmanaged.passUnretained(found)
        if let command = arguments.shortCommand, !found.isContainer {
            slots[Self.index(command.word)] = Slot(word: command.word, length: command.length, entry: unretained)
        }
        return unretained
    }

    /// What a command is cached by: the word its bytes spell and their count; nil unless it has
    /// one to eight bytes.
    @inline(__always)
    static func key(_ command: ByteView) -> (word: UInt64, length: Int)? {
        guard let word = command.word(at: 0, length: command.count) else { return nil }
        return (word, command.count)
    }

    @inline(__always)
    private static func index(_ word: UInt64) -> Int {
        Int(truncatingIfNeeded: (word &* 0x9e37_79b9_7f4a_7c15) >> 61)
    }
}
