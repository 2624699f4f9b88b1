import ArgumentParser
import Foundation
import Testing
import HotshardAnalysis
import HotshardModel
import HotshardTestSupport
@testable import hotshard

/// The commands as a user meets them: the same options for the same things, enum values listed
/// and checked by argument-parser, one meaning per exit status, and keys printed as people read them.
@Suite struct CommandSurfaceTests {
    static func run(_ arguments: [String]) throws -> ExternalTool.Output {
        try ExternalTool.run(TopCommandTests.binary, arguments)
    }

    /// `merge` writes with `--json` as every other command does (and `-o`, its old name, still works),
    /// and writes the HTML report beside it.
    @Test func mergeWritesWithJSONLikeTheOtherCommands() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-merge")
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.json").path, b = directory.appendingPathComponent("b.json").path
        for (path, file) in [(a, "redis-flash-sale.part1.pcap.gz"), (b, "redis-flash-sale.part2.pcap.gz")] {
            let analyzed = try Self.run(["analyze", Fixtures.path("lab/\(file)"), "--quiet", "--no-html", "--json", path])
            #expect(analyzed.status == 0, "\(analyzed.stderr)")
        }
        let merged = directory.appendingPathComponent("merged.json").path
        let output = try Self.run(["merge", a, b, "--json", merged, "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: merged))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("merged.html").path))
        let old = directory.appendingPathComponent("old.json").path
        #expect(try Self.run(["merge", a, b, "-o", old, "--no-html", "--quiet"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: old))
        #expect(throws: (any Error).self) { try MergeCommand.parse([a, b, "-o", old, "--json", merged]) }
    }

    /// `place` prints printable UTF-8 as itself and escapes only what a terminal would act on.
    @Test func placePrintsPrintableUTF8AsItself() throws {
        let output = try Self.run(["place", "--scheme", "jump", "--nodes", "4", "é{ü}", "tab\there", "a\\b"])
        #expect(output.status == 0, "\(output.stderr)")
        let keys = output.stdout.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) ?? "" }
        #expect(keys == ["é{ü}", "tab\\x09here", "a\\\\b"])
    }

    /// Options with a closed set of values list them in `--help`, and argument-parser refuses
    /// another value with status 64 and the list.
    @Test func enumOptionsListTheirValues() throws {
        // argument-parser wraps help at 80 columns: compare the words.
        let help = try Self.run(["analyze", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("values: requests, bytes, latency"), "\(help)")
        #expect(help.contains("header:NAME"))
        let bad = try Self.run(["analyze", "x.pcap", "--rank-by", "popularity"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("popularity"))
        #expect(try AnalyzeCommand.parse(["x.pcap", "--rank-by", "bytes", "--http-key", "header:X-Tenant"]).rankBy == .bytes)
        #expect(try PlanCommand.parse(["r.json", "--read-policy", "spread"]).model.readPolicy == .spread)
        #expect(throws: (any Error).self) { try PlanCommand.parse(["r.json", "--read-policy", "nearest"]) }
        #expect(throws: (any Error).self) { try PlaceCommand.parse(["--scheme", "nope", "--nodes", "3", "k"]) }
        #expect(try PlaceCommand.parse(["--scheme", "ketama-libmemcached", "--nodes", "3", "k"]).scheme.name == "ketama-libmemcached")
    }

    /// One meaning per status: a result that cannot be read is bad input (2) for `plan` and
    /// `report` alike, as a bad cluster dump is for `place`.
    @Test func unreadableInputsExitTwoEverywhere() throws {
        let missing = "/nonexistent/result.json"
        for arguments in [
            ["plan", missing], ["report", missing, "-o", "/tmp/hotshard-never.html"],
            ["place", "--scheme", "redis-cluster", "--cluster-nodes", "/nonexistent/nodes.txt", "k"],
        ] {
            let output = try Self.run(arguments)
            #expect(output.status == ExitStatus.badInput.rawValue, "\(arguments): \(output.status) \(output.stderr)")
            #expect(output.stderr.contains("/nonexistent/"))
        }
        #expect(ExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
    }

    /// `make demo` says how long its first release build takes before starting it.
    @Test func demoAnnouncesTheFirstBuild() throws {
        let makefile = try String(contentsOf: BuiltProduct.packageRoot.appendingPathComponent("Makefile"), encoding: .utf8)
        let demo = makefile.components(separatedBy: "\ndemo:").dropFirst().first ?? ""
        #expect(demo.contains("minutes"))
    }
}
