/// Erlang's `rand` module with the `exs1024` algorithm (xorshift1024*), seeded and stepped as
/// `rand:seed_s(exs1024, {A1, A2, A3})` and `rand:uniform_s/1` do, so that a sequence drawn here
/// equals the VM's: RabbitMQ's consistent-hash exchange draws its jump-hash steps from it.
///
/// The state is Erlang's pair of lists `{L, RL}`, each kept with its head at the array's end.
struct ErlangExs1024 {
    private var front: [UInt64]
    private var back: [UInt64] = []

    /// `rand:seed_s(exs1024, {a1, a2, a3})`: three 21-bit seeds spread into one xorshift64*
    /// seed, which fills the 16 words.
    init(_ a1: UInt64, _ a2: UInt64, _ a3: UInt64) {
        let mask21: UInt64 = (1 << 21) - 1
        let b1 = ((a1 & mask21) &+ 1) &* 2_097_131 & mask21
        let b2 = ((a2 & mask21) &+ 1) &* 2_097_133 & mask21
        let b3 = ((a3 & mask21) &+ 1) &* 2_097_143 & mask21
        var state = b1 << 43 | b2 << 22 | b3 << 1 | 1
        // exs1024_gen1024 prepends each output: the last generated is the list's head.
        var words: [UInt64] = []
        words.reserveCapacity(16)
        for _ in 0..<16 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            words.append(state &* 2_685_821_657_736_338_717)
        }
        front = words
    }

    /// The next 64-bit output (`exs1024_next`).
    mutating func next() -> UInt64 {
        if front.count == 1 {
            // {[H], RL} -> {[H | reverse(RL)], []}
            let head = front[0]
            front = back.reversed()
            front.append(head)
            back.removeAll(keepingCapacity: true)
        }
        guard let s0 = front.popLast(), let s1 = front.popLast() else { return 0 }
        var s11 = s1 ^ (s1 << 31)
        s11 ^= s11 >> 11
        let s01 = s0 ^ (s0 >> 30)
        let ns1 = s01 ^ s11
        front.append(ns1)
        back.append(s0)
        return ns1 &* 1_181_783_497_276_652_981
    }

    /// `rand:uniform_s/1`: the top 53 bits as a float in [0, 1).
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
