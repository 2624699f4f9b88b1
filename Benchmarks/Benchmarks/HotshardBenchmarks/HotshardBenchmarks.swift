import Benchmark
import Foundation
import HotshardAnalysis
import HotshardBytes
import HotshardCapture
import HotshardModel
import HotshardProtocols

/// Micro-benchmarks of the hot paths, with allocation counts (`make bench`).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3),
        thresholds: allocationsOnly)

    /// A loopback connection to a server on `port`.
    func loopbackFlow(_ port: UInt16) -> FlowID {
        FlowID(
            client: Endpoint(ipv4: 0x7f00_0001, port: 50_000), server: Endpoint(ipv4: 0x7f00_0001, port: port),
            transport: .tcp)
    }
    let flow = loopbackFlow(6379)

    /// 100 rounds of a conversation's requests and replies through one parser per iteration: the
    /// steady state, long enough for CPU time (which, unlike wall time, a busy machine does not
    /// inflate) to resolve. The message count is checked, so a parser that drops messages fails.
    func parseBenchmark<Parser: ConversationParser>(
        _ name: String, requests: [UInt8], replies: [UInt8],
        messages: Int, _ makeParser: @escaping @Sendable () -> Parser
    ) {
        let rounds = 100
        Benchmark(
            "\(name) parse, \(rounds) x \(messages) pipelined requests (\((requests.count + replies.count) * rounds) bytes)",
            configuration: .init(
                metrics: [.wallClock, .cpuUser, .throughput, .mallocCountTotal],
                thresholds: allocationsOnly)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                var parser = makeParser()
                var count = 0
                for _ in 0..<rounds {
                    requests.withByteView { parser.feed(.clientToServer, timestampNanos: 1, bytes: $0) { _ in count += 1 } }
                    replies.withByteView { parser.feed(.serverToClient, timestampNanos: 2, bytes: $0) { _ in count += 1 } }
                }
                precondition(count == rounds * messages, "\(name): \(count) messages, expected \(rounds * messages)")
                blackHole(count)
            }
        }
    }

    // 1,000 pipelined GET/SET requests and their replies: the steady state of a cache workload,
    // with tiny values (redis-benchmark's default is 3 bytes) and with 100-byte ones. Values are
    // skipped, not read, so the cost is per message and the byte rate grows with the value size.
    var requests: [UInt8] = []
    var replies: [UInt8] = []
    for valueSize in [5, 100] {
        let value = String(repeating: "v", count: valueSize)
        requests = []
        replies = []
        for index in 0..<1_000 {
            let key = "user:\(String(index % 97, radix: 10))"
            if index % 10 == 0 {
                requests += Array("*3\r\n$3\r\nSET\r\n$\(key.utf8.count)\r\n\(key)\r\n$\(valueSize)\r\n\(value)\r\n".utf8)
                replies += Array("+OK\r\n".utf8)
            } else {
                requests += Array("*2\r\n$3\r\nGET\r\n$\(key.utf8.count)\r\n\(key)\r\n".utf8)
                replies += Array("$\(valueSize)\r\n\(value)\r\n".utf8)
            }
        }
        parseBenchmark("RESP GET and SET, \(valueSize)-byte values,", requests: requests, replies: replies, messages: 1_000) {
            RESPParser(flow: flow)
        }
    }

    // memcached text: gets of one key, multi-gets of three (one a miss) and sets.
    requests = []
    replies = []
    for index in 0..<1_000 {
        let key = "user:\(index % 97)"
        if index % 10 == 0 {
            requests += Array("set \(key) 0 0 5\r\nvalue\r\n".utf8)
            replies += Array("STORED\r\n".utf8)
        } else if index % 10 < 4 {
            let second = "user:\(index % 89)", third = "item:\(index % 13)"
            requests += Array("get \(key) \(second) \(third)\r\n".utf8)
            replies += Array("VALUE \(key) 0 5\r\nvalue\r\nVALUE \(third) 0 5\r\nvalue\r\nEND\r\n".utf8)
        } else {
            requests += Array("get \(key)\r\n".utf8)
            replies += Array("VALUE \(key) 0 5\r\nvalue\r\nEND\r\n".utf8)
        }
    }
    let memcachedFlow = loopbackFlow(11211)
    parseBenchmark("memcached text", requests: requests, replies: replies, messages: 1_000) {
        MemcachedParser(flow: memcachedFlow)
    }

    // HTTP/1.1: pipelined GETs answered as nginx answers them (a seventh are 404s without a body).
    requests = []
    replies = []
    for index in 0..<1_000 {
        let digits = String(index % 997)
        let path = "/item/key:" + String(repeating: "0", count: 12 - digits.count) + digits
        requests += Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:7802\r\n\r\n".utf8)
        let body = index % 7 == 0 ? "" : "hello world, item \(index)\n"
        replies += Array(
            ("HTTP/1.1 \(index % 7 == 0 ? "404 Not Found" : "200 OK")\r\nServer: nginx/1.22.1\r\n"
                + "Date: Sun, 06 Dec 2026 13:00:00 GMT\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: keep-alive\r\n\r\n\(body)").utf8)
    }
    let httpFlow = loopbackFlow(80)
    parseBenchmark("HTTP GET", requests: requests, replies: replies, messages: 1_000) { HTTPParser(flow: httpFlow) }

    // Read + decode + reassemble a capture into a sink that only counts: the capture layer alone.
    // HOTSHARD_BENCH_PCAP names a large capture (make bench makes one with redis-benchmark).
    final class NullSink: StreamSink {
        var bytes = 0
        func streamData(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
            self.bytes &+= bytes.count
        }
        func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {}
        func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason) {}
        func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {}
    }
    if let path = ProcessInfo.processInfo.environment["HOTSHARD_BENCH_PCAP"] {
        Benchmark(
            // Named for the capture make bench makes (compare.py's RESP capture), not its path: the
            // recorded allocation thresholds are looked up by name.
            "Capture read + decode + reassemble (make bench's RESP capture)",
            configuration: .init(
                metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
                maxDuration: .seconds(30), maxIterations: 5, thresholds: allocationsOnly)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                let session = try CaptureSession(files: [path])
                let sink = NullSink()
                try session.run(into: sink)
                blackHole(sink.bytes)
                blackHole(session.health.packets)
            }
        }
    }

    let keys = (0..<100_000).map { Key("user:\($0)") }
    Benchmark("Space-Saving update, 100,000 keys, capacity 10,000") { benchmark in
        var configuration = AnalysisConfiguration()
        configuration.capacity = 10_000
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        var state: UInt64 = 1
        for _ in benchmark.scaledIterations {
            for _ in 0..<10_000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let message = Message(
                    timestampNanos: Int64(state >> 40), flow: flow, wireProtocol: .resp,
                    command: "GET", operation: .read,
                    keys: [KeyReference(key: keys[Int(state >> 33) % keys.count])],
                    requestBytes: 30, replyBytes: 10, status: .ok, latencyNanos: 40_000)
                analyzer.receive(message)
            }
        }
    }

    // The analysis thread of `analyze` on the redis-benchmark capture of `make bench`: 100,000 uniform
    // keys into the default capacity 65,536 (a third of the increments evict), messages in the
    // batches the pipeline hands over. 64 batches are built once and replayed.
    var generator: UInt64 = 7
    let batches: [[Message]] = (0..<64).map { _ in
        (0..<2_048).map { _ in
            generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Message(
                timestampNanos: 500_000_000, flow: flow, wireProtocol: .resp, command: "GET",
                operation: .read, keys: [KeyReference(key: keys[Int(generator >> 33) % keys.count])],
                requestBytes: 30, replyBytes: 10, status: .ok, latencyNanos: Int64(20_000 + generator % 40_000))
        }
    }
    Benchmark(
        "Analyzer, 131,072 messages over 100,000 uniform keys, capacity 65,536",
        configuration: .init(
            metrics: [.wallClock, .cpuUser, .throughput, .mallocCountTotal],
            thresholds: allocationsOnly)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let analyzer = HotKeyAnalyzer()
            for batch in batches { analyzer.receive(contentsOf: batch) }
            blackHole(analyzer)
        }
    }

    // Issue 5's figure: 1,000,000 weighted keys (Zipf 0.99) placed on 1,000 nodes, per scheme
    // (key hashing and building the scheme included), and a whole plan of that workload (all
    // default schemes, node counts 1…1000). `scripts/bench/model-bench.sh` times the same work through
    // a release `hotshard plan` without this harness.
    let placementConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(10), maxIterations: 3, thresholds: allocationsOnly)
    for name in PlanConfiguration.defaultSchemes {
        Benchmark("Place 1M Zipf keys on 1,000 nodes: \(name)", configuration: placementConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                guard let scheme = try? SchemeFactory.make(name, servers: ServerSpec.numbered(1000)) else { continue }
                let hashes = zipfKeys.map { scheme.keyHash($0) }
                blackHole(scheme.assign(hashes: hashes, rates: zipfRates))
            }
        }
    }
    Benchmark(
        "Plan 1M Zipf keys, all schemes, nodes 1-1000",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident], maxDuration: .seconds(60), maxIterations: 2,
            thresholds: allocationsOnly)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Planner(PlanConfiguration(capacityPerNode: 50_000)).plan(zipf))
        }
    }
}

/// What `make bench` holds the benchmarks to (`benchmark thresholds check` against the counts recorded
/// in Benchmarks/Thresholds): allocation counts, which a regression in a hot path changes and a busy
/// machine does not, may not grow by more than 1% or 20 allocations at the median and p90. Times,
/// throughput and memory are measured and printed but never fail the check (this machine is shared;
/// BENCHMARKS.md compares them by hand). Computed: the dictionary type is not Sendable.
var allocationsOnly: [BenchmarkMetric: BenchmarkThresholds] {
    [
        // A run's harness allocations vary by a few (28-30 for a parse of 100,000 requests), so
        // 10 %: a per-message allocation adds thousands and still fails.
        .mallocCountTotal: BenchmarkThresholds(relative: [.p50: 10.0, .p90: 10.0], absolute: [.p50: 20, .p90: 20]),
        .wallClock: .none, .cpuUser: .none, .cpuTotal: .none, .throughput: .none, .peakMemoryResident: .none,
    ]
}

// Globals are built on first use: only the model benchmarks pay for (and hold) the 1 M keys,
// so the other benchmarks' peak memory is their own.
let zipf = zipfWorkload(keys: 1_000_000)
let zipfKeys = zipf.hotKeys.map(\.key)
let zipfRates = zipf.hotKeys.map(\.rate)

/// The model benchmark's workload, as scripts/bench/model-bench-result.py writes it: keys "key:r"
/// (r = 1…keys) with Zipf(0.99) request counts over 60 s at 17,500,000 requests per second in
/// total (ideal spread: 500 nodes of 50,000 ops/s at 70%), 90% reads, no untracked tail.
func zipfWorkload(keys: Int) -> Workload {
    let weights = (1...keys).map { pow(Double($0), -0.99) }
    let norm = weights.reduce(0, +)
    let duration = 60.0, totalRequests = 17_500_000.0 * duration
    let hot = weights.enumerated().map { index, weight in
        let count = (totalRequests * weight / norm + 0.5).rounded(.down)
        return Workload.HotKey(key: Key("key:\(index + 1)"), rate: count / duration, readFraction: 0.9, meanBytes: 340)
    }
    return Workload(hotKeys: hot, tailRate: 0, tailKeys: 0, durationSeconds: duration)
}
