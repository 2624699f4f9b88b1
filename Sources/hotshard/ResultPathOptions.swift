import ArgumentParser
import HotshardReport

/// Where a command that produces a result writes it: the JSON (`--json`, on every such command)
/// and the HTML report beside it (`--html`, `--no-html`). Both are written atomically.
struct ResultPathOptions: ParsableArguments {
    @Option(help: "Where to write the result JSON (default reports/NAME.json).")
    var json: String?

    @Option(help: "Where to write the HTML report (default: beside the JSON, reports/NAME.html).")
    var html: String?

    @Flag(name: .customLong("no-html"), help: "Do not write the HTML report.")
    var noHTML = false

    func validate() throws {
        if noHTML && html != nil { throw ValidationError("give --html PATH or --no-html, not both") }
    }

    /// Writes the JSON at `--json` or `defaultJSON`, then, unless `--no-html`, the report at
    /// `--html` or beside the JSON. Returns both paths.
    func write(_ document: ResultDocument, defaultJSON: String) throws -> (json: String, html: String?) {
        let jsonPath = json ?? defaultJSON
        try document.write(toPath: jsonPath)
        let htmlPath: String? = noHTML ? nil : (html ?? Self.htmlPath(besideJSON: jsonPath))
        if let htmlPath { try HTMLReport.write(document, toPath: htmlPath) }
        return (jsonPath, htmlPath)
    }

    /// `reports/NAME.json` → `reports/NAME.html`: the report goes where the result goes.
    static func htmlPath(besideJSON jsonPath: String) -> String {
        (jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath) + ".html"
    }
}
