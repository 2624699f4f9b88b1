/// HdrHistogram's bucket layout (`AbstractHistogram`'s index arithmetic): which counts-array
/// index a value falls in, and the lowest value of an index, for a lowest discernible value and
/// a number of significant digits.
struct HdrBucketLayout {
    let unitMagnitude: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let leadingZeroCountBase: Int

    init(lowest: UInt64, digits: Int) {
        var largestSingleUnit: UInt64 = 2
        for _ in 0..<max(0, digits) { largestSingleUnit *= 10 }
        unitMagnitude = 63 - max(1, lowest).leadingZeroBitCount
        let subBucketCountMagnitude = 64 - (largestSingleUnit - 1).leadingZeroBitCount
        subBucketHalfCountMagnitude = max(0, subBucketCountMagnitude - 1)
        subBucketHalfCount = 1 << subBucketHalfCountMagnitude
        subBucketMask = (UInt64(1) << UInt64(subBucketCountMagnitude) - 1) << UInt64(unitMagnitude)
        leadingZeroCountBase = 64 - unitMagnitude - subBucketCountMagnitude
    }

    /// The counts-array index of `value`.
    func index(of value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket + unitMagnitude))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    /// The highest value at counts-array `index` (the lowest plus the bucket's width less one);
    /// nil beyond 64 bits.
    func highestValue(at index: Int) -> UInt64? {
        guard let lowest = value(at: index) else { return nil }
        let bucket = max(0, (index >> subBucketHalfCountMagnitude) - 1)
        let width = UInt64(1) << UInt64(min(63, bucket + unitMagnitude))
        let (sum, overflow) = lowest.addingReportingOverflow(width - 1)
        return overflow ? nil : sum
    }

    /// The lowest value at counts-array `index`; nil beyond 64 bits.
    func value(at index: Int) -> UInt64? {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        let shift = bucket + unitMagnitude
        guard shift < 64, UInt64(subBucket) <= UInt64.max >> UInt64(shift) else { return nil }
        return UInt64(subBucket) << UInt64(shift)
    }
}
