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
        guard arguments.count > 0 else { return nil }
        let length = arguments.length(0)
        guard length > 0, length <= 8 else { return RedisCommandTable.lookup(arguments).map { .passUnretained($0) } }
        let word = arguments.withArgument(0) { command in command.baseAddress.map { Key.word($0, count: command.count) } ?? 0 }
        let index = Int(truncatingIfNeeded: (word &* 0x9e37_79b9_7f4a_7c15) >> 61)
        if slots[index].length == length, slots[index].word == word, let entry = slots[index].entry {
            return entry
        }
        guard let found = RedisCommandTable.lookup(arguments) else { return nil }
        let unretained = Unmanaged.passUnretained(found)
        if !found.isContainer { slots[index] = Slot(word: word, length: length, entry: unretained) }
        return unretained
    }
}
