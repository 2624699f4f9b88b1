/// Values in ascending order with their original indices, equal values in index order: what a
/// stable comparison sort by value gives, by least-significant-digit radix passes of 11 bits (3
/// passes when every value fits 32 bits, at most 6 otherwise; a digit all values share is
/// skipped). The planner orders a million key hashes per hash family and ring points per layout
/// this way (a comparison sort of a million pairs cost several times more).
struct RadixOrder {
    var values: [UInt64]
    var indices: [Int32]

    init(_ input: [UInt64]) {
        let count = input.count
        var values = input
        var indices = (0..<count).map { Int32(truncatingIfNeeded: $0) }
        let widest = input.reduce(0, |)
        let bits = UInt64.bitWidth - widest.leadingZeroBitCount
        if count > 1 && bits > 0 {
            var spareValues = [UInt64](repeating: 0, count: count)
            var spareIndices = [Int32](repeating: 0, count: count)
            var offsets = [Int](repeating: 0, count: 2048)
            var shift: UInt64 = 0
            while shift < UInt64(bits) {
                let moved = Self.pass(
                    shift: shift, values: values, indices: indices,
                    into: &spareValues, &spareIndices, offsets: &offsets)
                if moved {
                    swap(&values, &spareValues)
                    swap(&indices, &spareIndices)
                }
                shift += 11
            }
        }
        self.values = values
        self.indices = indices
    }

    /// One stable counting pass on the digit at `shift`; false (nothing written) when every value
    /// has the same digit there.
    private static func pass(
        shift: UInt64, values: [UInt64], indices: [Int32],
        into outValues: inout [UInt64], _ outIndices: inout [Int32], offsets: inout [Int]
    ) -> Bool {
        let count = values.count
        guard count > 0, offsets.count == 2048, outValues.count == count, outIndices.count == count, indices.count == count else {
            return false
        }
        for i in 0..<offsets.count { offsets[i] = 0 }
        for value in values { offsets[Int(truncatingIfNeeded: (value >> shift) & 2047)] += 1 }
        if offsets[Int(truncatingIfNeeded: (values[0] >> shift) & 2047)] == count { return false }
        var running = 0
        for i in 0..<offsets.count {
            let n = offsets[i]
            offsets[i] = running
            running += n
        }
        // Every digit's offsets end at its running total, below count: the stores stay inside.
        for i in 0..<count {
            let value = values[i]
            let digit = Int(truncatingIfNeeded: (value >> shift) & 2047)
            let at = offsets[digit]
            offsets[digit] = at + 1
            outValues[at] = value
            outIndices[at] = indices[i]
        }
        return true
    }
}
