import ArgumentParser
import Foundation
import HotshardReport

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a saved result as one self-contained HTML file.",
        discussion: "Writes reports/NAME.html for RESULT NAME.json unless -o says otherwise. The page makes no network requests.\n"
            + ExitStatus.help([.success, .failure, .badInput])
    )

    @Argument(help: "A result document (JSON) written by analyze, merge or plan.")
    var result: String

    @Option(name: .shortAndLong, help: "Where to write the HTML report (default reports/NAME.html).")
    var output: String?

    @Option(help: "Also write the result document here (with --redact: the redacted one; default NAME.redacted.json beside the HTML).")
    var json: String?

    @OptionGroup var redaction: RedactionOptions

    func run() async throws {
        var stderr = StandardError()
        var document: ResultDocument
        do {
            document = try ResultDocument.read(fromPath: result)
        } catch let error as ResultFileError {
            print("hotshard report: \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        if let redactor = redaction.redactor { document = redactor.redact(document) }
        let htmlPath = output ?? "reports/\(Self.baseName(result)).html"
        try HTMLReport.write(document, toPath: htmlPath)
        print("report     \(htmlPath)")
        var jsonPath = json
        if jsonPath == nil, redaction.redact {
            jsonPath = Self.replacingExtension(of: htmlPath, with: ".redacted.json")
        }
        if let jsonPath {
            try document.write(toPath: jsonPath)
            print("result     \(jsonPath)")
        }
    }

    /// `reports/run-1.json` → `run-1`.
    static func baseName(_ path: String) -> String {
        var base = URL(fileURLWithPath: path).lastPathComponent
        if base.hasSuffix(".json") { base = String(base.dropLast(5)) }
        return base.isEmpty ? "report" : base
    }

    static func replacingExtension(of path: String, with suffix: String) -> String {
        path.hasSuffix(".html") ? String(path.dropLast(5)) + suffix : path + suffix
    }
}
