#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MD5 (RFC 1321) of a byte buffer as its four state words (the digest is their little-endian
/// bytes). Written out because the planner hashes a million keys with it: a library digest
/// allocated a context per key and cost about twice as much. HashVectorTests checks RFC 1321's
/// test suite.
enum MD5 {
    /// K[i] = floor(|sin(i + 1)| × 2^32), as the RFC defines the table.
    static let k: [UInt32] = (0..<64).map { UInt32(abs(sin(Double($0 + 1))) * 4_294_967_296.0) }
    static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    static func words(_ message: UnsafeRawBufferPointer) -> (UInt32, UInt32, UInt32, UInt32) {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        let count = message.count
        let whole = count / 64
        for block in 0..<whole {
            compress(&state, UnsafeRawBufferPointer(rebasing: message[(block * 64)..<(block * 64 + 64)]))
        }
        // The tail, 0x80, zeros to 56 mod 64 and the bit length: one or two more blocks.
        let rest = count - whole * 64
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { tail in
            tail.initializeMemory(as: UInt8.self, repeating: 0)
            for i in 0..<rest { tail[i] = message[whole * 64 + i] }
            tail[rest] = 0x80
            let blocks = rest < 56 ? 1 : 2
            tail.storeBytes(of: (UInt64(count) &* 8).littleEndian, toByteOffset: blocks * 64 - 8, as: UInt64.self)
            for block in 0..<blocks {
                compress(&state, UnsafeRawBufferPointer(rebasing: tail[(block * 64)..<(block * 64 + 64)]))
            }
        }
        return state
    }

    @inline(__always)
    static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawBufferPointer) {
        var a = state.0, b = state.1, c = state.2, d = state.3
        k.withUnsafeBufferPointer { k in
            shifts.withUnsafeBufferPointer { shifts in
                for i in 0..<64 {
                    var f: UInt32, g: Int
                    switch i >> 4 {
                    case 0: f = (b & c) | (~b & d); g = i
                    case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                    case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
                    default: f = c ^ (b | ~d); g = (7 * i) & 15
                    }
                    let word = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: g * 4, as: UInt32.self))
                    f = f &+ a &+ k[i] &+ word
                    a = d
                    d = c
                    c = b
                    let s = shifts[(i >> 4) * 4 + (i & 3)]
                    b = b &+ (f << s | f >> (32 - s))
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
