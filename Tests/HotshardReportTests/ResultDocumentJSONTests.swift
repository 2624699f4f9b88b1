import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import Testing
@testable import HotshardReport

/// The streamed writer and in-place reader of result documents against Foundation's
/// JSONEncoder/JSONDecoder: same text out, same values in.
@Suite struct ResultDocumentJSONTests {
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

    static func streamed(_ document: ResultDocument) throws -> [UInt8] {
        let output = JSONOutput()
        try document.writeJSON(to: output)
        try output.flush()
        return output.bytes
    }

    @Test func writerMatchesJSONEncoderByteForByte() throws {
        let document = Self.awkwardDocument()
        let state = try #require(document.summaryState)
        #expect(state.keys.count == 12)
        #expect(Set(state.keys.map(\.key)) == Set(Self.awkwardKeys.map { Key($0) }))
        let streamed = try Self.streamed(document)
        let encoded = [UInt8](try Self.encoder.encode(document))
        #expect(streamed == encoded)
        // Both forms of key are in the text.
        let text = String(decoding: streamed, as: UTF8.self)
        #expect(text.contains("\"keyBase64\":\"//4AIg==\""))
        #expect(text.contains("\"key\":\"\\u0000\\u0001\\b\\t\\n\\f\\r\\u001f:\u{7f}\""))
    }

    @Test func readerDecodesWhatJSONDecoderDecodes() throws {
        let document = Self.awkwardDocument()
        let text = try Self.encoder.encode(document)
        let old = try JSONDecoder().decode(ResultDocument.self, from: text)
        let new = try ResultDocument.decode(json: text)
        #expect(try Self.encoder.encode(new) == text)
        #expect(try Self.encoder.encode(old) == text)
        let counts = Dictionary(uniqueKeysWithValues: try #require(new.summaryState).keys.map { ($0.key, $0.count) })
        #expect(counts[Key(Array("say \"hi\":2".utf8))] == 3)
        #expect(counts[Key([0xff, 0xfe, 0x00, 0x22])] == 8)
        #expect(counts[Key(Array(repeating: 0x80, count: 40))] == 12)
        #expect(new.hotKeys.map(\.key) == old.hotKeys.map(\.key))
        #expect(new.hotKeys.count == 12)
    }

    /// A file written the old way (JSONEncoder, compact or pretty as `plan --json` writes) reads with
    /// the new reader; the new writer's file reads back to the same text.
    @Test(arguments: [false, true])
    func oldFilesReadAndNewFilesRoundTrip(pretty: Bool) throws {
        let document = try ReportDocuments.fromLab("redis-pipelined")
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotshard-json-\(getpid())-\(pretty)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("old.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try encoder.encode(document).write(to: old)
        let read = try ResultDocument.read(fromPath: old.path)
        let expected = try Self.encoder.encode(document)
        #expect(try Self.encoder.encode(read) == expected)
        #expect(read.summaryState?.keys.count == document.summaryState?.keys.count)
        #expect(read.hotKeys.count == document.hotKeys.count)

        let new = directory.appendingPathComponent("sub/new.json")
        try read.write(toPath: new.path)
        #expect(try Data(contentsOf: new) == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: new.deletingLastPathComponent().path) == ["new.json"])
    }

    @Test func errorsNameTheMember() throws {
        let text = String(decoding: try Self.encoder.encode(Self.awkwardDocument()), as: UTF8.self)
        func failure(_ edited: String) -> String {
            do {
                _ = try ResultDocument.decode(json: Data(edited.utf8))
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let notNumber = text.replacingOccurrences(of: "\"keys\":[{\"count\":", with: "\"keys\":[{\"count\":\"many\",\"x\":")
        #expect(failure(notNumber).hasPrefix(".summaryState.keys[0].count: expected a number at byte "))
        let missing = text.replacingOccurrences(of: "\"protocolName\":", with: "\"protocolNameX\":")
        #expect(failure(missing).hasPrefix(".summaryState.keys[0].statistics: missing protocolName at byte "))
        let badBase64 = text.replacingOccurrences(of: "//4AIg==", with: "//4AIg=")
        #expect(failure(badBase64).contains("keyBase64 is not valid base64"))
        #expect(failure(text + "x").hasPrefix("unexpected text after the document"))
        // Members the fast path does not read still go through JSONDecoder.
        let badTotals = text.replacingOccurrences(of: "\"requests\":", with: "\"requestsX\":")
        #expect(failure(badTotals).contains("requests"))
    }

    @Test func numbersAndStringsAsJSONEncoderWritesThem() throws {
        let doubles: [Double] = [
            60, 0.1, 1e-7, 1e20, 1e16, 1e15, 5e-324, -0.0, .greatestFiniteMagnitude, 229.375, 1 / 3,
            -2.5e-5, 9_007_199_254_740_993,
        ]
        let integers: [Int64] = [.min, .max, 0, -1, 10, 1_000_000_007]
        var everyByte = ""
        for byte in 0..<0x80 { everyByte.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        let strings = [everyByte, "é€😀\u{2028}\u{FEFF}", ""]
        let output = JSONOutput()
        func list<Element>(_ elements: [Element], to output: JSONOutput, _ write: (Element) throws -> Void) throws {
            try output.byte(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { try output.byte(UInt8(ascii: ",")) }
                try write(element)
            }
            try output.byte(UInt8(ascii: "]"))
        }
        try list(doubles, to: output) { try output.double($0) }
        try list(integers, to: output) { try output.int64($0) }
        try output.uint64(.max)
        try list(strings, to: output) { try output.string($0) }
        try output.flush()
        let expected =
            try Self.encoder.encode(doubles) + Self.encoder.encode(integers) + Self.encoder.encode(UInt64.max)
            + Self.encoder.encode(strings)
        #expect(String(decoding: output.bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(throws: JSONOutputError.self) { try output.double(.nan) }
    }

    @Test func scannerReadsEscapesAndRejectsBadText() throws {
        let text = Array(#"{"key":"\u00e9\ud83d\ude00\/\b\"x"}"#.utf8)
        let key = try text.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            return try Key(json: &scanner)
        }
        #expect(key == Key(Array("é😀/\u{8}\"x".utf8)))
        func error(_ json: String) -> String? {
            Array(json.utf8).withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes)
                do {
                    _ = try Key(json: &scanner)
                    try scanner.end()
                    return nil
                } catch {
                    return "\(error)"
                }
            }
        }
        #expect(error(#"{"key":"\ud83d"}"#) == ".key: unpaired surrogate in \\u escape at byte 14")
        #expect(error("{\"key\":\"a\u{1}\"}") == ".key: control byte in a string at byte 9")
        #expect(error(#"{"key":"a"} x"#) == "unexpected text after the document at byte 12")
        #expect(error(#"{"key":"a",}"#) == "expected a member name at byte 11")
        #expect(error(#"{"other":1}"#) == "missing keyBase64 at byte 11")
        #expect(error(#"{"key":"a"}"#) == nil)
    }
}
