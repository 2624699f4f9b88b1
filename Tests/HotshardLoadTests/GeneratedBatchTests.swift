import HotshardBytes
import HotshardProtocols
import NIOCore
import Testing

@testable import HotshardLoad

/// `load`'s closed loop writes each batch of generated requests in one piece
/// (`GeneratedRequests.write`): the connection must get the profile's requests byte for byte, and
/// the in-flight record of each must name its command, keys and size.
@Suite struct GeneratedBatchTests {
    /// A profile of seed 5 over `key:{n:012}` with one GET-like and one SET-like operation of equal
    /// weight and 4-byte values.
    static func profile(_ target: String, _ lines: String, operations: String) throws -> LoadProfile {
        try LoadTestSupport.profile(
            """
            target: \(target)
            seed: 5
            connections: 1
            arrival: closed
            requests: 3
            keys: {count: 100000, format: "key:{n:012}", distribution: uniform}
            values: {size: 4}
            \(lines)
            operations: \(operations)

            """)
    }

    /// The first three requests, written as a batch of two and a batch of one after bytes already
    /// in the buffer, and what was recorded for each.
    static func firstThree(_ profile: LoadProfile) -> (bytes: [UInt8], records: [WrittenRequest]) {
        let source = GeneratedRequests(profile: profile, workers: 1, index: 0)
        var buffer = ByteBufferAllocator().buffer(capacity: 4)
        buffer.writeString("before")
        var records: [WrittenRequest] = []
        #expect(source.write(2, intended: 0, into: &buffer) { records.append($0) } == 2)
        #expect(source.write(1, intended: 0, into: &buffer) { records.append($0) } == 1)
        var bytes = Array(buffer.readableBytesView)
        #expect(bytes.prefix(6).elementsEqual("before".utf8))
        bytes.removeFirst(min(6, bytes.count))
        return (bytes, records)
    }

    /// The keys of seed 5's first three requests, as `hotshard synth --seed 5` wrote them before
    /// the batch encoder (the key draws are the generator's, whatever the protocol).
    static let keys = ["key:000000060208", "key:000000082155", "key:000000078452"]

    static func check(
        _ profile: LoadProfile, expected: [[UInt8]], commands: [String], keys: [String] = keys
    ) {
        let (bytes, records) = firstThree(profile)
        #expect(bytes == expected.flatMap { $0 })
        #expect(records.map(\.byteCount) == expected.map(\.count))
        #expect(records.map(\.command) == commands)
        #expect(records.map { $0.keys.map(\.key) } == keys.map { [Key($0)] })
    }

    /// RESP arrays of bulk strings (the bytes of `hotshard synth --seed 5`'s capture).
    @Test func respBatchIsTheKnownWireFormat() throws {
        let profile = try Self.profile("redis://127.0.0.1:1", "", operations: "[{op: GET, weight: 1}, {op: SET, weight: 1}]")
        Self.check(
            profile,
            expected: [
                Array("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000060208\r\n".utf8),
                Array("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000082155\r\n$4\r\nvvvv\r\n".utf8),
                Array("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000078452\r\n$4\r\nvvvv\r\n".utf8),
            ],
            commands: ["GET", "SET", "SET"])
    }

    /// memcached text (the capture's bytes) and meta commands (protocol.txt: `mg KEY v`, `ms KEY SIZE`).
    @Test func memcachedTextAndMetaBatchesAreTheKnownWireFormat() throws {
        let operations = "[{op: get, weight: 1}, {op: set, weight: 1}]"
        Self.check(
            try Self.profile("memcached://127.0.0.1:1", "protocol: text", operations: operations),
            expected: [
                Array("get key:000000060208\r\n".utf8),
                Array("set key:000000082155 0 0 4\r\nvvvv\r\n".utf8),
                Array("set key:000000078452 0 0 4\r\nvvvv\r\n".utf8),
            ],
            commands: ["GET", "SET", "SET"])
        Self.check(
            try Self.profile("memcached://127.0.0.1:1", "protocol: meta", operations: operations),
            expected: [
                Array("mg key:000000060208 v\r\n".utf8),
                Array("ms key:000000082155 4\r\nvvvv\r\n".utf8),
                Array("ms key:000000078452 4\r\nvvvv\r\n".utf8),
            ],
            commands: ["MG", "MS", "MS"])
    }

    /// memcached binary frames (protocol_binary.h): magic 0x80, opcode, key length 16, extras
    /// length, data type and vbucket 0, body length, opaque and CAS 0; SET's extras are flags 0
    /// and expiry 0, its body 8 + 16 + 4 = 28 bytes.
    @Test func memcachedBinaryBatchIsTheKnownWireFormat() throws {
        let profile = try Self.profile(
            "memcached://127.0.0.1:1", "protocol: binary", operations: "[{op: get, weight: 1}, {op: set, weight: 1}]")
        let get: [UInt8] = [0x80, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10]
        let set: [UInt8] = [0x80, 0x01, 0x00, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c]
        let opaqueAndCAS = [UInt8](repeating: 0, count: 12)
        let setExtras = [UInt8](repeating: 0, count: 8)
        Self.check(
            profile,
            expected: [
                get + opaqueAndCAS + Array(Self.keys[0].utf8),
                set + opaqueAndCAS + setExtras + Array(Self.keys[1].utf8) + Array("vvvv".utf8),
                set + opaqueAndCAS + setExtras + Array(Self.keys[2].utf8) + Array("vvvv".utf8),
            ],
            commands: ["GET", "SET", "SET"])
    }

    /// HTTP/1.1 requests (the capture's bytes); each is recorded under its target, as the HTTP
    /// parser names it.
    @Test func httpBatchIsTheKnownWireFormat() throws {
        let profile = try Self.profile(
            "http://127.0.0.1:8080", "http: {path: \"/item/{key}\"}", operations: "[{op: GET, weight: 1}, {op: POST, weight: 1}]")
        Self.check(
            profile,
            expected: [
                Array("GET /item/key:000000060208 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n".utf8),
                Array("POST /item/key:000000082155 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 4\r\n\r\nvvvv".utf8),
                Array("POST /item/key:000000078452 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 4\r\n\r\nvvvv".utf8),
            ],
            commands: ["GET", "POST", "POST"],
            keys: Self.keys.map { "/item/" + $0 })
    }

    /// Over every operation of each protocol, multi-key requests, keys wider than the format's
    /// width and varying values, batches of every size from 1 to 17 write what `take` makes one
    /// request at a time, and record what it says of each.
    @Test(arguments: [
        "target: redis://127.0.0.1:1\noperations: [{op: GET}, {op: SET}, {op: MGET, keys: 3}, {op: DEL}, {op: INCR}]",
        "target: memcached://127.0.0.1:1\noperations: [{op: get}, {op: multi-get, keys: 3}, {op: set}, {op: delete}, {op: incr}]",
        "target: memcached://127.0.0.1:1\nprotocol: meta\noperations: [{op: get}, {op: set}, {op: delete}, {op: incr}]",
        "target: memcached://127.0.0.1:1\nprotocol: binary\noperations: [{op: get}, {op: set}, {op: delete}, {op: incr}]",
        "target: http://127.0.0.1:8080\nhttp: {path: \"/p/{key}?q=1\"}\noperations: [{op: GET}, {op: POST}]",
    ])
    func batchesEqualRequestsTakenOneByOne(head: String) throws {
        let profile = try LoadTestSupport.profile(
            head + "\nseed: 3\narrival: closed\nkeys: {count: 2000, format: \"k{n:2}\", distribution: uniform}\nvalues: {min: 0, max: 300}\n")
        let batched = GeneratedRequests(profile: profile, workers: 1, index: 0)
        let single = GeneratedRequests(profile: profile, workers: 1, index: 0)
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        var expected: [UInt8] = []
        for size in 1...17 {
            var records: [WrittenRequest] = []
            #expect(batched.write(size, intended: 0, into: &buffer) { records.append($0) } == size)
            for record in records {
                guard let request = single.take(intended: 0) else {
                    Issue.record("take gave no request")
                    return
                }
                expected += request.bytes
                #expect(record.byteCount == request.bytes.count)
                #expect(record.command == request.command)
                #expect(record.operation == request.operation)
                #expect(record.keys == request.keys)
            }
        }
        #expect(buffer.readableBytesView.elementsEqual(expected))
    }
}
