import Foundation
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardReport

/// Reports rendered from the lab captures: every number in the HTML equals the one in the JSON.
@Suite struct LabReportTests {
    /// The JSON as written to disk, read back as plain JSON values (not through our Codable types).
    static func json(_ document: ResultDocument) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(document))
    }

    static func number(_ value: JSONValue?) -> Double? { value?.number }

    static func keyBytes(_ entry: JSONValue) -> [UInt8]? {
        if let text = entry["key"]?.string { return Array(text.utf8) }
        if let base64 = entry["keyBase64"]?.string, let data = Data(base64Encoded: base64) { return Array(data) }
        return nil
    }

    @Test(arguments: ReportDocuments.lab.keys.sorted())
    func numbersInTheHTMLEqualTheJSON(capture: String) throws {
        let document = try ReportDocuments.fromLab(capture, top: 100)
        let json = try Self.json(document)
        let html = ReportHTML(html: try HTMLReport.render(document))
        let hotKeys = try #require(json["hotKeys"]?.array)
        let rows = html.hotKeyRows
        // http-keepalive has none until the HTTP parser lands; the rest must have some.
        #expect(!hotKeys.isEmpty || capture.hasPrefix("http"), "the lab capture \(capture) has hot keys")
        #expect(rows.count == hotKeys.count)
        var cumulative = 0.0
        for (row, entry) in zip(rows, hotKeys) {
            cumulative += try #require(Self.number(entry["share"]))
            let bytes = try #require(Self.keyBytes(entry))
            #expect(row.fullKey ?? row.key == KeyText(bytes: bytes, limit: .max).full)
            let columns = Dictionary(uniqueKeysWithValues: zip(ReportHTML.columns, row.values))
            let hits = try #require(Self.number(entry["hits"])), misses = try #require(Self.number(entry["misses"]))
            let latency = entry["latencyMicros"]
            let expected: [String: Double?] = [
                "count": Self.number(entry["count"]),
                "share": Self.number(entry["share"]),
                "cumulative": cumulative,
                "reads": Self.number(entry["reads"]),
                "writes": Self.number(entry["writes"]),
                "bytes": (Self.number(entry["requestBytes"]) ?? .nan) + (Self.number(entry["replyBytes"]) ?? .nan),
                "largest": Self.number(entry["maxReplyBytes"]),
                "hit-ratio": hits + misses > 0 ? hits / (hits + misses) : nil,
                "p99": Self.number(latency?["p99"]),
                "clients": Self.number(entry["clients"]),
                "error-bound": Self.number(entry["errorBound"]),
                "hot-since": Self.number(entry["hotSince"]),
            ]
            for column in ReportHTML.columns {
                let shown = columns[column].flatMap { $0.isEmpty ? nil : Double($0) }
                let want = expected[column] ?? nil
                if column == "cumulative", let shown, let want {
                    #expect(abs(shown - want) <= 1e-12, "\(capture) rank \(row.rank) \(column)")
                } else {
                    #expect(
                        shown == want, "\(capture) rank \(row.rank) \(column): HTML \(String(describing: shown)), JSON \(String(describing: want))")
                }
            }
            // What a person reads agrees with the exact value.
            if let countText = row.texts.first {
                #expect(Double(countText.replacingOccurrences(of: ",", with: "")) == expected["count"] ?? nil)
            }
        }
        // Summary figures and totals.
        #expect(html.figure("top-share").flatMap(Double.init) == Self.number(hotKeys.first?["share"]))
        let latency = json["latency"]?["service"]
        #expect(html.figure("p99").flatMap(Double.init) == Self.number(latency?["p99"]))
        let totals = try #require(json["totals"])
        for name in ["requests", "replies", "errors"] {
            #expect(html.tableValue("totals-table", name).flatMap(Double.init) == Self.number(totals[name]), "\(capture) \(name)")
        }
        #expect(html.tableValue("totals-table", "key references").flatMap(Double.init) == Self.number(totals["keyReferences"]))
        let health = try #require(json["capture"])
        for (label, name) in [("packets", "packets"), ("gaps", "gaps"), ("malformed", "malformed"), ("truncated", "truncated")] {
            #expect(html.tableValue("health-table", label).flatMap(Double.init) == Self.number(health[name]), "\(capture) \(label)")
        }
    }

    /// The latency-over-time table holds the JSON's per-window latency: one row per window with
    /// latency (per step, the highest of its windows' values when steps hold several windows).
    @Test(arguments: ReportDocuments.lab.keys.sorted())
    func latencyOverTimeInTheHTMLEqualsTheJSON(capture: String) throws {
        let document = try ReportDocuments.fromLab(capture, top: 100)
        let json = try Self.json(document)
        let windows = try #require(json["windows"]?["series"]?.array)
        let per = max(1, (windows.count + ReportView.Limits.trafficBuckets - 1) / ReportView.Limits.trafficBuckets)
        var expected: [[Double]] = []
        for start in stride(from: 0, to: windows.count, by: per) {
            let group = windows[start..<min(windows.count, start + per)]
            let measured = group.compactMap { $0["latencyMicros"] }
            guard !measured.isEmpty, let first = Self.number(group.first?["start"]) else { continue }
            expected.append([first] + ["p50", "p90", "p99", "max"].map { name in measured.compactMap { Self.number($0[name]) }.max() ?? .nan })
        }
        let rows = ReportHTML(html: try HTMLReport.render(document)).tableRows("latency-time-table").map { $0.compactMap(Double.init) }
        #expect(rows == expected, "\(capture)")
        // Every capture with paired replies has latency in its windows.
        if Self.number(json["latency"]?["service"]?["count"]) ?? 0 > 0 { #expect(!expected.isEmpty, "\(capture)") }
    }

    /// `hotshard analyze --json --html` and `hotshard report` on its JSON give the same page.
    @Test func analyzeAndReportCommandsWriteTheSamePage() throws {
        let binary = try #require(BuiltProduct.hotshard, "the hotshard binary is not built; run swift build --build-tests")
        let directory = try Fixtures.temporaryDirectory("hotshard-report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("mget.json").path
        let html = directory.appendingPathComponent("mget.html").path
        let analyze = try ExternalTool.run(
            binary,
            [
                "analyze", Fixtures.path("lab/redis-mget-mset.pcap.gz"), "--quiet",
                "--json", json, "--html", html,
            ])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let second = directory.appendingPathComponent("again.html").path
        let report = try ExternalTool.run(binary, ["report", json, "-o", second])
        #expect(report.status == 0, "\(report.stderr)")
        let first = try String(contentsOfFile: html, encoding: .utf8)
        #expect(first == (try String(contentsOfFile: second, encoding: .utf8)))
        let document = try ResultDocument.read(fromPath: json)
        let rows = ReportHTML(html: first).hotKeyRows
        #expect(rows.count == document.hotKeys.count)
        #expect(rows.map { Int($0.values.first ?? "") } == document.hotKeys.map(\.count))
        // Default path: beside the JSON.
        let bad = try ExternalTool.run(binary, ["report", directory.appendingPathComponent("missing.json").path, "-o", second])
        #expect(bad.status == 2)  // bad input: a result that cannot be read
        #expect(bad.stderr.contains("missing.json"))
    }

    /// `analyze --redact`: no key of the capture in the JSON or the HTML; the same secret gives the same tokens.
    @Test func analyzeRedactsKeysInBothFiles() throws {
        let binary = try #require(BuiltProduct.hotshard, "the hotshard binary is not built; run swift build --build-tests")
        let directory = try Fixtures.temporaryDirectory("hotshard-report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try ReportDocuments.fromLab("redis-mget-mset", top: 100)  // analyze keeps at least 100
        var outputs: [String] = []
        for run in 0..<2 {
            let json = directory.appendingPathComponent("r\(run).json").path
            let result = try ExternalTool.run(
                binary,
                [
                    "analyze", Fixtures.path("lab/redis-mget-mset.pcap.gz"), "--quiet", "--top", "20",
                    "--json", json, "--redact", "--redact-key", "team-secret", "--redact-keep-prefix",
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let html = try String(contentsOfFile: directory.appendingPathComponent("r\(run).html").path, encoding: .utf8)
            let text = try String(contentsOfFile: json, encoding: .utf8)
            for entry in plain.hotKeys {
                let key = try #require(entry.key.utf8Text)
                #expect(!html.contains(key) && !text.contains(key), "\(key) survived redaction")
            }
            #expect(html.contains("Keys are redacted"))
            outputs.append(text)
        }
        let first = try ResultDocument.read(fromPath: directory.appendingPathComponent("r0.json").path)
        let second = try ResultDocument.read(fromPath: directory.appendingPathComponent("r1.json").path)
        #expect(first.hotKeys.map(\.key) == second.hotKeys.map(\.key))
        #expect(first.hotKeys.map(\.count) == plain.hotKeys.map(\.count))
        #expect(first.hotKeys.first?.key.utf8Text?.hasPrefix("user:#") == true)
        #expect(first.summaryState == nil)
    }
}
