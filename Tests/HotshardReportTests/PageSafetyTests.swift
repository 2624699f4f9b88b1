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
        let document = ResultDocument(
            source: .init(kind: .live, inputs: ["eth0"]), capture: .init(), totals: .init(),
            tracking: .init(capacity: 10, exact: true, distinctKeys: 0, distinctKeysEstimated: false),
            hotKeys: [], latency: .init(service: nil), windows: .init(seconds: 1, series: []))
        let html = try HTMLReport.render(document)
        #expect(html.contains("No requests with keys were decoded"))
        #expect(html.contains("No time windows in this result."))
        #expect(html.contains("This result has no model section (it was written before every run modelled its traffic)."))
        #expect(html.hasSuffix("</html>\n") || html.hasSuffix("</html>"))
    }
}

/// Numbers from a crafted result file: extreme, infinite or negative values render without a trap
/// or an endless loop.
@Suite struct HostileNumberTests {
    @Test func extremeValuesRender() throws {
        var document = ReportDocuments.synthetic(keys: 4, windows: 5, perWindow: 3, nodes: 3)
        document.totals.durationSeconds = 1e300
        document.totals.requests = .max
        document.hotKeys[0].count = .max
        document.hotKeys[0].requestBytes = .max
        document.hotKeys[0].replyBytes = .max
        document.hotKeys[0].hits = .max
        document.hotKeys[0].misses = .max
        document.hotKeys[0].share = .infinity
        document.hotKeys[1].share = -3
        document.hotKeys[1].ratePerSecond = .nan
        document.hotKeys[2].latencyMicros = .init(p50: .infinity, p90: -1, p99: .nan, max: 1e300)
        document.windows.series[0].requests = .max
        document.windows.series[1].requests = .max
        document.windows.series[0].top[0].count = .max
        document.windows.series[1].top[0].count = .max
        document.latency.service = .init(p50: 0, p90: -5, p99: .infinity, p999: 1e300, max: .nan, count: .min)
        document.model?.capacityPerNode = .infinity
        document.model?.schemes[0].perNode[0].utilisation = .infinity
        document.model?.schemes[1].perNode[0].utilisation = 1e300
        document.model?.schemes[2].perNode[0].p99Micros = .infinity
        document.model?.recommendations.append(.init(kind: .nodes, factor: 1e300, detail: "huge"))
        document.model?.recommendations.append(.init(kind: .cache, factor: .infinity, detail: "inf"))
        let html = try HTMLReport.render(document)
        #expect(html.contains("</html>"))
        #expect(ReportHTML(html: html).hotKeyRows.count == 4)
        #expect(!html.contains("nan\"") && !html.contains("inf\""), "no NaN or infinity in coordinates")
    }
}
