import HotshardBytes
import HotshardProtocols
import NIOCore

/// One request ready to go out: its wire bytes, what it is (for the analysis of failures and for
/// HTTP reply pairing), and the connection it must use when the order on a connection matters.
public struct PreparedRequest: Sendable {
    public var bytes: [UInt8]
    public var command: String
    public var operation: OperationClass
    /// The keys as the parser names them (for HTTP the request path), for analysing a request that fails.
    public var keys: KeyList
    /// The run-wide connection index the request must be sent on (replay keeps each original
    /// connection's order); nil: any connection.
    public var connection: Int?

    public init(bytes: [UInt8], command: String, operation: OperationClass, keys: KeyList, connection: Int? = nil) {
        self.bytes = bytes
        self.command = command
        self.operation = operation
        self.keys = keys
        self.connection = connection
    }
}

/// A request a source wrote straight into a connection's outgoing bytes: what it is, for its
/// in-flight entry (latency, and the analysis of a request that fails).
struct WrittenRequest {
    var command: String
    var operation: OperationClass
    /// The keys as the parser names them (for HTTP the request path).
    var keys: KeyList
    var byteCount: Int
}

/// Where one worker's requests come from: a profile's generator on its arrival schedule (`load`),
/// or a capture's requests on the capture's schedule (`replay`). Called on the worker's event loop only.
protocol RequestSource: AnyObject {
    /// Intended send time of the next request (ns from the start of the schedule); nil when none is
    /// ready yet (a replay's reader is behind) or none is left.
    func nextIntendedNanos() -> Int64?
    /// The next request; `intended` is when it is sent for (closed loop: now).
    func take(intended: Int64) -> PreparedRequest?
    /// Closed loop, for a source whose requests may go on any connection: appends the next `count`
    /// requests' wire bytes to `buffer` (no request values in between), giving `record` what each
    /// was, in order. Returns how many it wrote: fewer than `count` when none is ready (as `take`'s nil).
    func write(_ count: Int, intended: Int64, into buffer: inout ByteBuffer, record: (WrittenRequest) -> Void) -> Int
    /// True when no request names a connection: the worker may then have requests written straight
    /// into the connections with room (`write`), none queued.
    var sendsOnAnyConnection: Bool { get }
    /// True once nothing more will come.
    var isExhausted: Bool { get }
    /// The whole client's target rate at `seconds` (for progress); nil when there is none.
    func targetRate(at seconds: Double) -> Double?
}

extension RequestSource {
    func write(_ count: Int, intended: Int64, into buffer: inout ByteBuffer, record: (WrittenRequest) -> Void) -> Int {
        for written in 0..<count {
            guard let request = take(intended: intended) else { return written }
            buffer.writeBytes(request.bytes)
            record(
                WrittenRequest(
                    command: request.command, operation: request.operation, keys: request.keys,
                    byteCount: request.bytes.count))
        }
        return count
    }

    var sendsOnAnyConnection: Bool { false }
}

/// `load`: requests from the profile's generator at the arrival schedule's times. The run has one
/// sequence of requests (one schedule, one generator, seeded by the profile's seed) whatever its
/// threads and shards: worker `w` of `T` in shard `I` of `N` sends the requests at
/// `I + N·w + k·N·T` and passes over the others with `RequestGenerator.skip(at:)` (the random draws
/// only: no key is formatted, nothing encoded), so the shards' results merge into the unsharded run's.
final class GeneratedRequests: RequestSource {
    private var schedule: ArrivalSchedule
    private var generator: RequestGenerator
    private let encoder: RequestEncoder
    private let profile: LoadProfile
    private var nextDue: Int64
    /// Bytes of the largest request so far: each request's array is allocated once, at its size.
    private var largest = 64
    /// Where `write` encodes a batch before one copy into the connection's buffer (reused: no
    /// allocation once grown).
    private var batch: [UInt8] = []
    private let openLoop: Bool
    private let http: Bool
    /// Requests of the run's sequence between two of this worker's (1: all are its own).
    private let stride: Int
    /// The shards sharing the run: the target rate of this process is the profile's divided by it.
    private let shardCount: Int

    init(profile: LoadProfile, workers: Int, index: Int) {
        self.profile = profile
        self.encoder = RequestEncoder(profile: profile)
        let slice = profile.shard?.slice(worker: index, of: workers) ?? (offset: index, stride: max(1, workers))
        self.stride = slice.stride
        self.shardCount = profile.shard?.count ?? 1
        self.schedule = ArrivalSchedule(spec: profile.arrival, phases: profile.phases, seed: profile.seed)
        self.generator = RequestGenerator(profile: profile, seed: profile.seed)
        self.openLoop = profile.arrival.isOpenLoop
        self.http = profile.wireProtocol == .http
        self.nextDue = 0
        // Pass over the requests before this worker's first.
        for _ in 0..<slice.offset {
            let intended = openLoop ? schedule.next() : 0
            generator.skip(at: Double(intended) / 1e9)
        }
        self.nextDue = schedule.next()
    }

    func nextIntendedNanos() -> Int64? { nextDue }

    /// Passes over the other workers' and shards' requests after this worker's last one.
    private func skipOthers(intended: Int64) {
        for _ in 1..<stride {
            let time = openLoop ? schedule.next() : intended
            generator.skip(at: Double(time) / 1e9)
        }
    }

    func take(intended: Int64) -> PreparedRequest? {
        let request = generator.next(at: Double(intended) / 1e9)
        skipOthers(intended: intended)
        if openLoop { nextDue = schedule.next() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(largest)
        encoder.encode(request, into: &bytes)
        largest = max(largest, bytes.count)
        let keys = http ? bytes.withByteView { Self.targetKeys($0, of: request) } : request.keys
        return PreparedRequest(
            bytes: bytes, command: encoder.commandName(request.kind), operation: Self.operation(request),
            keys: keys)
    }

    func write(_ count: Int, intended: Int64, into buffer: inout ByteBuffer, record: (WrittenRequest) -> Void) -> Int {
        // Closed loop only (an open loop's requests wait in the backlog for their intended times).
        assert(!openLoop, "write(_:intended:into:record:) is for the closed loop")
        // The generator and the batch's bytes taken once for the batch, not once per request.
        Self.write(
            count, intended: intended, stride: stride, generator: &generator, encoder: encoder, http: http,
            batch: &batch, into: &buffer, record: record)
        return count
    }

    /// Encodes the batch's requests one after another into `batch` (emptied, its storage kept),
    /// then copies them into `buffer` at once: the `ByteBuffer` is reached once per batch. Written
    /// field by field into the `ByteBuffer`, each field of each request checked its capacity and
    /// took a dynamic exclusive access (a runtime call); an array's append checks only its capacity.
    private static func write(
        _ count: Int, intended: Int64, stride: Int, generator: inout RequestGenerator, encoder: RequestEncoder,
        http: Bool, batch: inout [UInt8], into buffer: inout ByteBuffer,
        record: (WrittenRequest) -> Void
    ) {
        let seconds = Double(intended) / 1e9
        batch.removeAll(keepingCapacity: true)
        for _ in 0..<count {
            let request = generator.next(at: seconds)
            for _ in 1..<stride { generator.skip(at: seconds) }
            let start = batch.count
            encoder.encode(request, into: &batch)
            // An HTTP request's key (its target) is read from its encoded bytes.
            let keys = http ? batch[start...].withByteView { targetKeys($0, of: request) } : request.keys
            record(
                WrittenRequest(
                    command: encoder.commandName(request.kind), operation: operation(request), keys: keys,
                    byteCount: batch.count - start))
        }
        buffer.writeBytes(batch)
    }

    var sendsOnAnyConnection: Bool { true }

    private static func operation(_ request: LoadRequest) -> OperationClass {
        switch request.kind {
        case .get, .multiGet, .httpGet: .read
        default: .write
        }
    }

    /// An HTTP request's key as the parser names it: its target (the path, with the query when
    /// the profile puts the key there), read from the encoded request, with the generated key's
    /// number (`LoadKeySpace` names HTTP numbers by their targets).
    private static func targetKeys(_ encoded: ByteView, of request: LoadRequest) -> KeyList {
        var keys = KeyList()
        keys.append(KeyReference(key: RequestEncoder.httpTarget(of: encoded), index: request.keys.first?.index ?? -1))
        return keys
    }

    var isExhausted: Bool { false }

    func targetRate(at seconds: Double) -> Double? { schedule.targetRate(at: seconds).map { $0 / Double(shardCount) } }
}
