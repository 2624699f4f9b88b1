import Crypto
import Foundation
import Mustache

/// Renders a result document as one self-contained HTML page: inline CSS, inline SVG charts and
/// one inline script, no external requests. A Content-Security-Policy in the page allows exactly
/// that style and that script (by SHA-256) and nothing else — no images, fonts, frames or
/// connections — so even text that escaped escaping could not run or load anything.
public enum HTMLReport {
    /// The CSP of every report.
    public static let contentSecurityPolicy: String = {
        "default-src 'none'; style-src '\(hash(ReportStyle.css))'; script-src '\(hash(ReportScript.source))'; "
            + "img-src 'none'; base-uri 'none'; form-action 'none'"
    }()

    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    /// The parsed template (parsed once).
    static let template: Result<MustacheTemplate, any Error> = Result { try MustacheTemplate(string: ReportTemplate.source) }

    /// The page for `document`.
    public static func render(_ document: ResultDocument) throws -> String {
        var view = ReportView(document)
        view.csp = contentSecurityPolicy
        view.style = ReportStyle.css
        view.script = ReportScript.source
        return try template.get().render(view)
    }

    /// Renders and writes the page atomically (temporary file, then rename), creating the folder.
    public static func write(_ document: ResultDocument, toPath path: String) throws {
        let html = try render(document)
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(html.utf8).write(to: url, options: .atomic)
    }
}
