import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Testing
@testable import HotshardReport

/// The one result codec: the document through Foundation's JSONEncoder/JSONDecoder (its fields
/// are its `Codable` conformance), the summary state through `BinaryEncoder`, deflated, base64.
@Suite struct ResultCodecTests {
    /// Keys that test the escaping and the `key` / `keyBase64` choice.
    static let awkwardKeys: [[UInt8]] = [
        [],
        Array("plain:1".utf8),
        Array("say \"hi\":2".utf8),
        Array("back\\slash\\".utf8),
        Array("/a/b".utf8),
        [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x3a, 0x7f],
        Array("é€😀\u{2028}:x".utf8),
        [0xff, 0xfe, 0x00, 0x22],
        [0xc3],
        [0xed, 0xa0, 0x80],
        Array(String(repeating: "long\"\\key/", count: 10).utf8),
        Array(repeating: 0x80, count: 40),
    ]

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// An analysis of the awkward keys: key i named i + 1 times, over several windows, clients,
    /// commands, statuses and latencies.
    static func awkwardDocument() -> ResultDocument {
        var configuration = AnalysisConfiguration()
        configuration.windowSeconds = 1
        configuration.capacity = 64
        let analyzer = HotKeyAnalyzer(configuration: configuration)
        let commands = ["GET", "SET", "get", "_x", "Zz"]
        var sequence = 0
        for (index, key) in awkwardKeys.enumerated() {
            for _ in 0...index {
                let flow = FlowID(
                    client: Endpoint(ipv4: 0x7f00_0001, port: UInt16(50_000 + sequence % 7)),
                    server: Endpoint(ipv4: 0x7f00_0001, port: 6379), transport: .tcp)
                analyzer.receive(
                    Message(
                        timestampNanos: 1_000_000_000 + Int64(sequence) * 150_000_000, flow: flow, wireProtocol: .resp,
                        command: commands[sequence % commands.count], operation: sequence % 3 == 0 ? .write : .read,
                        keys: KeyList([KeyReference(key: Key(key))]), requestBytes: 20 + sequence, replyBytes: sequence % 11,
                        status: sequence % 5 == 0 ? .miss : .ok,
                        latencyNanos: sequence % 4 == 0 ? nil : Int64(1_000 + sequence * 7_919)))
                sequence += 1
            }
        }
        return ResultDocument(
            analysis: analyzer.snapshot(), capture: CaptureHealth(),
            source: .init(kind: .capture, inputs: ["awkward \"keys\".pcap"]), topKeys: 100)
    }

    static func canonical(_ document: ResultDocument) throws -> String {
        String(decoding: try document.canonicalJSON(), as: UTF8.self)
    }

    @Test func everySectionRoundTrips() throws {
        let document = Self.awkwardDocument()
        let state = try #require(document.summaryState)
        #expect(state.keys.count == 12)
        let text = try document.encodedJSON()
        let read = try ResultDocument.decode(json: text)
        #expect(try Self.canonical(read) == Self.canonical(document))
        let counts = Dictionary(uniqueKeysWithValues: try #require(read.summaryState).keys.map { ($0.key, $0.count) })
        #expect(counts[Key(Array("say \"hi\":2".utf8))] == 3)
        #expect(counts[Key([0xff, 0xfe, 0x00, 0x22])] == 8)
        #expect(counts[Key(Array(repeating: 0x80, count: 40))] == 12)
        #expect(read.hotKeys.map(\.key) == document.hotKeys.map(\.key))
        // The readable part keeps both forms of key.
        let json = String(decoding: text, as: UTF8.self)
        #expect(json.contains("\"keyBase64\":\"//4AIg==\""))
        #expect(json.contains("\"codec\":\"hotshard-binary/1\""))
        #expect(json.contains("\"schemaVersion\":2"))
    }

    /// A version-1 document (the summary state as plain JSON) still reads, to the same values.
    @Test func versionOneDocumentsStillRead() throws {
        let document = try ReportDocuments.fromLab("redis-pipelined")
        var object = try #require(
            try JSONSerialization.jsonObject(with: document.encodedJSON()) as? [String: Any])
        object["schemaVersion"] = 1
        object["summaryState"] = try JSONSerialization.jsonObject(with: Self.encoder.encode(try #require(document.summaryState)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotshard-codec-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("old.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object).write(to: old)
        let read = try ResultDocument.read(fromPath: old.path)
        #expect(read.schemaVersion == 1)
        #expect(read.summaryState?.keys.count == document.summaryState?.keys.count)
        #expect(try Self.encoder.encode(try #require(read.summaryState)) == Self.encoder.encode(try #require(document.summaryState)))

        // Written again, it is a version-2 document with the same content, atomically in place.
        let new = directory.appendingPathComponent("sub/new.json")
        var rewritten = read
        rewritten.schemaVersion = ResultDocument.currentSchemaVersion
        try rewritten.write(toPath: new.path)
        #expect(try Self.canonical(ResultDocument.read(fromPath: new.path)) == Self.canonical(document))
        #expect(try FileManager.default.contentsOfDirectory(atPath: new.deletingLastPathComponent().path) == ["new.json"])
    }

    /// The demo's complaint: a 60-second capture wrote 26 MB, nearly all summary state.
    @Test func summaryStateIsAFractionOfItsJSON() throws {
        let document = try ReportDocuments.fromLab("redis-pipelined")
        let state = try #require(document.summaryState)
        let asJSON = try Self.encoder.encode(state).count
        let stored = try document.encodedJSON().count
        #expect(stored * 4 < asJSON, "document \(stored) bytes, summary state as JSON \(asJSON) bytes")
    }

    @Test func damagedStateIsAnErrorThatNamesIt() throws {
        let text = String(decoding: try Self.awkwardDocument().encodedJSON(), as: UTF8.self)
        func failure(_ edited: String) -> String {
            do {
                _ = try ResultDocument.decode(json: Data(edited.utf8))
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure(text.replacingOccurrences(of: "hotshard-binary/1", with: "hotshard-binary/9")).contains("unknown codec"))
        let data = try #require(text.range(of: "\"data\":\""))
        var truncated = text
        truncated.replaceSubrange(data.upperBound..<text.index(data.upperBound, offsetBy: 40), with: "")
        #expect(failure(truncated).contains("summaryState"))
        var notBase64 = text
        notBase64.replaceSubrange(data.upperBound..<text.index(data.upperBound, offsetBy: 3), with: "!!!")
        #expect(failure(notBase64).contains("not valid base64"))
        #expect(failure(text.replacingOccurrences(of: "\"bytes\":", with: "\"bytes\":1")).contains("stated"))
    }

    @Test func binaryInputIsCheckedNotTrusted() throws {
        let state = try #require(Self.awkwardDocument().summaryState)
        let binary = try BinaryEncoder.encode(state)
        let back = try BinaryDecoder.decode(AnalysisSnapshot.self, from: binary)
        #expect(try Self.encoder.encode(back) == Self.encoder.encode(state))
        // Every truncation, and every single-byte change in the first 2,000 bytes, is an error or a
        // value, never a crash.
        var errors = 0
        for length in stride(from: 0, to: binary.count, by: max(1, binary.count / 500)) {
            if (try? BinaryDecoder.decode(AnalysisSnapshot.self, from: Array(binary[..<length]))) == nil { errors += 1 }
        }
        #expect(errors > 0)
        for index in 12..<min(binary.count, 2_000) {
            var damaged = binary
            damaged[index] ^= 0x5a
            _ = try? BinaryDecoder.decode(AnalysisSnapshot.self, from: damaged)
        }
    }

    /// Values the one-buffer format cannot hold are refused with an error, not written wrongly.
    @Test func nestedContainersAreRefused() throws {
        enum Shape: Codable { case circle(radius: Double), square(side: Double) }
        #expect(throws: EncodingError.self) { try BinaryEncoder.encode([Shape.circle(radius: 1)]) }
        struct Plain: Codable, Equatable {
            var name = "x"
            var values: [Int64] = [.min, -1, 0, 1, .max]
            var unsigned: [UInt64] = [0, .max]
            var real: [Double] = [-0.0, 1e-300, .infinity, 229.375]
            var maybe: Int? = nil
            var nested: [[String: Int]] = [["a": 1], [:]]
        }
        #expect(try BinaryDecoder.decode(Plain.self, from: BinaryEncoder.encode(Plain())) == Plain())
    }
}
