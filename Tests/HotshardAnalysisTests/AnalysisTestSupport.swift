import HotshardCapture
import HotshardProtocols

/// Seeded generator (SplitMix64) so that every statistical test has a fixed answer.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Zipf(s) over n items by inverse CDF on the exact cumulative weights.
struct ZipfSampler {
    let cumulative: [Double]
    init(items: Int, exponent: Double) {
        var running = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(items)
        for rank in 1...items {
            running += 1 / pow(Double(rank), exponent)
            cumulative.append(running)
        }
        self.cumulative = cumulative.map { $0 / running }
    }
    func sample(_ generator: inout SeededGenerator) -> Int {
        let u = Double(generator.next() >> 11) / Double(1 << 53)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

func testMessage(
    _ keys: [String], at seconds: Double, operation: OperationClass = .read,
    clientPort: UInt16 = 50_000
) -> Message {
    let flow = FlowID(
        client: Endpoint(ipv4: 0x7f00_0001, port: clientPort),
        server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)
    return Message(
        timestampNanos: Int64(seconds * 1e9), flow: flow, wireProtocol: .resp, command: "GET",
        operation: operation, keys: KeyList(keys.map { KeyReference(key: Key($0)) }), requestBytes: 30,
        replyBytes: 10, status: .ok, latencyNanos: 50_000)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
