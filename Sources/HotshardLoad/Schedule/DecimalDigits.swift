/// How many decimal digits `value` takes (1 for 0): sizes of rendered keys and of RESP length
/// lines, worked out before writing them in place.
@inline(__always)
func decimalDigitCount(_ value: UInt64) -> Int {
    var count = 1
    var rest = value
    while rest >= 10 {
        rest /= 10
        count += 1
    }
    return count
}
