import Foundation
import HotshardProtocols
import Testing
@testable import HotshardReport

/// The page is self-contained and its template cannot emit unescaped input.
@Suite struct PageSafetyTests {
    /// Triple braces (no escaping) only for the page's constants and SVG markup built in Swift.
    @Test func onlyTrustedFieldsAreUnescaped() throws {
        let regex = try NSRegularExpression(pattern: #"\{\{\{\s*([^}\s]+)\s*\}\}\}|\{\{&\s*([^}\s]+)\s*\}\}"#)
        let source = ReportTemplate.source
        let names = regex.matches(in: source, range: NSRange(source.startIndex..., in: source)).compactMap { match -> String? in
            for group in 1...2 { if let range = Range(match.range(at: group), in: source) { return String(source[range]) } }
            return nil
        }
        #expect(!names.isEmpty)
        for name in names {
            #expect(["csp", "style", "script", "svg"].contains(name) || name.hasSuffix("SVG"), "unescaped field \(name)")
        }
        // No pragma switches escaping off.
        #expect(!source.contains("{{%"))
    }

    @Test func noExternalReferences() throws {
        let html = try HTMLReport.render(ReportDocuments.synthetic(keys: 20, windows: 30, nodes: 6))
        // The only URL is the SVG namespace, which is a name, never fetched.
        let urls = html.components(separatedBy: "http://").count + html.components(separatedBy: "https://").count - 2
        #expect(urls == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        for needle in ["src=", "<link", "@import", "url(", "<iframe", "<img", "<object", "<embed"] {
            #expect(!html.contains(needle), "\(needle)")
        }
        #expect(html.components(separatedBy: "<script").count - 1 == 1)
        #expect(html.components(separatedBy: "<style").count - 1 == 1)
        #expect(!html.contains(" style="))
    }

    @Test func theContentSecurityPolicyAllowsExactlyThePagesStyleAndScript() throws {
        let html = try HTMLReport.render(ReportDocuments.synthetic(keys: 2, windows: 2, nodes: 2))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReport.contentSecurityPolicy)\">"))
        #expect(HTMLReport.contentSecurityPolicy.hasPrefix("default-src 'none'; "))
        let script = try #require(html.range(of: "<script>")).upperBound
        let scriptEnd = try #require(html.range(of: "</script>", range: script..<html.endIndex)).lowerBound
        #expect(HTMLReport.hash(String(html[script..<scriptEnd])) == HTMLReport.hash(ReportScript.source))
        #expect(HTMLReport.contentSecurityPolicy.contains(HTMLReport.hash(String(html[script..<scriptEnd]))))
        let style = try #require(html.range(of: "<style>")).upperBound
        let styleEnd = try #require(html.range(of: "</style>", range: style..<html.endIndex)).lowerBound
        #expect(HTMLReport.contentSecurityPolicy.contains(HTMLReport.hash(String(html[style..<styleEnd]))))
    }

    @Test func emptyResultStillRenders() throws {
        let document = ResultDocument(source: .init(kind: .live, inputs: ["eth0"]), capture: .init(), totals: .init(),
                                      tracking: .init(capacity: 10, exact: true, distinctKeys: 0, distinctKeysEstimated: false),
                                      hotKeys: [], latency: .init(service: nil), windows: .init(seconds: 1, series: []))
        let html = try HTMLReport.render(document)
        #expect(html.contains("No requests with keys were decoded"))
        #expect(html.contains("No time windows in this result."))
        #expect(html.contains("This result has no model section."))
        #expect(html.hasSuffix("</html>\n") || html.hasSuffix("</html>"))
    }
}
