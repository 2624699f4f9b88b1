/// HyperLogLog distinct counter (Flajolet et al. 2007, with the small-range linear-counting
/// correction): 2^14 registers, standard error 1.04/√16384 ≈ 0.8%.
struct HyperLogLog: Codable, Sendable, Equatable {
    static let precision = 14
    private(set) var registers: [UInt8]

    init() {
        registers = [UInt8](repeating: 0, count: 1 << Self.precision)
    }

    /// A 64-bit finaliser (splitmix64) so that weak input hashes still spread over the registers.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    @inline(__always)
    mutating func add(hash: UInt64) {
        let mixed = Self.mix(hash)
        let index = Int(mixed >> UInt64(64 - Self.precision))
        let rest = (mixed << UInt64(Self.precision)) | (1 << UInt64(Self.precision - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    mutating func merge(_ other: HyperLogLog) {
        for index in registers.indices where other.registers[index] > registers[index] {
            registers[index] = other.registers[index]
        }
    }

    var estimate: Int {
        let m = Double(registers.count)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1.0 / Double(1 << Int(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m, zeros > 0 {
            return Int((m * log(m / Double(zeros))).rounded())
        }
        return Int(raw.rounded())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
