import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HotshardProtocols
import Testing
@testable import HotshardReport

/// Golden structure of the SVG charts on a fixed small result: element counts, attributes and
/// view boxes (not pixels). Each chart parses as XML on its own.
@Suite struct SVGChartTests {
    static let document = ReportDocuments.synthetic(keys: 6, windows: 10, perWindow: 4, nodes: 5, currentNodes: 4)

    /// The chart with `id` from the rendered page, parsed.
    static func chart(_ id: String, in html: String) throws -> XMLElement {
        let start = try #require(html.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(id)\""))
        let end = try #require(html.range(of: "</svg>", range: start.upperBound..<html.endIndex))
        // Parsed without the namespace so that names and attributes read plainly.
        let markup = String(html[start.lowerBound..<end.upperBound]).replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        let document = try XMLDocument(xmlString: markup, options: [])
        return try #require(document.rootElement())
    }

    static func count(_ element: XMLElement, _ name: String, className: String? = nil) -> Int {
        var total = 0
        func walk(_ node: XMLElement) {
            if node.name == name,
                className.map({ node.attribute(forName: "class")?.stringValue?.split(separator: " ").contains(Substring($0)) ?? false }) ?? true
            {
                total += 1
            }
            for child in node.children ?? [] { if let child = child as? XMLElement { walk(child) } }
        }
        walk(element)
        return total
    }

    static func attribute(_ element: XMLElement, _ name: String) -> String? { element.attribute(forName: name)?.stringValue }

    @Test func everyChartIsLabelledAndSized() throws {
        let html = try HTMLReport.render(Self.document)
        let ids = [
            "chart-heat", "chart-traffic", "chart-latency-time", "chart-latency", "chart-ring-0-current", "chart-ring-0",
            "chart-ring-1-current", "chart-ring-1", "chart-ring-2-current", "chart-ring-2", "chart-queue",
        ]
        for id in ids {
            let svg = try Self.chart(id, in: html)
            #expect(Self.attribute(svg, "role") == "img", "\(id)")
            #expect(Self.attribute(svg, "aria-labelledby") == "\(id)-t \(id)-d", "\(id)")
            let children = (svg.children ?? []).compactMap { $0 as? XMLElement }
            #expect(children.first?.name == "title", "\(id)")
            #expect(Self.attribute(children.first ?? svg, "id") == "\(id)-t")
            #expect(children.dropFirst().first?.name == "desc", "\(id)")
            #expect(Self.attribute(svg, "viewBox")?.hasPrefix("0 0 720 ") == true, "\(id)")
        }
        // Every chart has its table, and no chart more than once.
        #expect(html.components(separatedBy: "<svg ").count - 1 == ids.count)
    }

    @Test func heatmapHasOneRowPerKeyAndACellPerNonEmptyBucket() throws {
        let html = try HTMLReport.render(Self.document)
        let svg = try Self.chart("chart-heat", in: html)
        // 6 keys × 16 px + 8 + 28 margins.
        #expect(Self.attribute(svg, "viewBox") == "0 0 720 132")
        #expect(Self.count(svg, "rect", className: "heat-bg") == 6)
        #expect(Self.count(svg, "text", className: "key-lbl") == 6)
        // Window i's top list holds ranks (slot × 7 + i / 60) % 6 for slots 0…3: ranks 0, 1, 2, 3.
        // So keys 0…3 have a cell in each of the 10 windows; keys 4 and 5 none.
        #expect(Self.count(svg, "rect", className: "heat") == 40)
        let opacities = (svg.children ?? []).compactMap { $0 as? XMLElement }
            .filter { Self.attribute($0, "class") == "heat" }.compactMap { Self.attribute($0, "fill-opacity").flatMap(Double.init) }
        #expect(opacities.count == 40)
        #expect(opacities.allSatisfy { $0 > 0 && $0 <= 1 })
        #expect(opacities.max() == 1)
    }

    @Test func trafficChartStepsThroughEachWindow() throws {
        let svg = try Self.chart("chart-traffic", in: try HTMLReport.render(Self.document))
        #expect(Self.attribute(svg, "viewBox") == "0 0 720 236")
        #expect(Self.count(svg, "polygon", className: "area") == 1)
        #expect(Self.count(svg, "polyline", className: "s2") == 1)
        let polygon = try #require((svg.children ?? []).compactMap { $0 as? XMLElement }.first { $0.name == "polygon" })
        // Two points per window plus the two on the axis.
        #expect(Self.attribute(polygon, "points")?.split(separator: " ").count == 10 * 2 + 2)
    }

    @Test func latencyChartHasCorrectedAndUncorrected() throws {
        let svg = try Self.chart("chart-latency", in: try HTMLReport.render(Self.document))
        #expect(Self.count(svg, "polyline") == 2)
        #expect(Self.count(svg, "circle", className: "s1") == 5)
        #expect(Self.count(svg, "circle", className: "s2") == 5)
        let labels = (svg.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.name == "text" }.compactMap(\.stringValue)
        for label in ["p50", "p90", "p99", "p99.9", "max", "uncorrected", "corrected"] { #expect(labels.contains(label), "\(label)") }
        // Decade ticks on a log axis: 90 µs … 90 ms → 10 µs … 100 ms.
        for tick in ["10 µs", "100 µs", "1.00 ms", "10.0 ms", "100 ms"] { #expect(labels.contains(tick), "\(tick)") }
    }

    @Test func ringChartHasABarPerNodeAndLimitLines() throws {
        let svg = try Self.chart("chart-ring-0", in: try HTMLReport.render(Self.document))
        #expect(Self.attribute(svg, "viewBox") == "0 0 720 180")
        #expect(Self.count(svg, "rect", className: "bar") == 5)
        #expect(Self.count(svg, "line", className: "limit") == 2)
        let queue = try Self.chart("chart-queue", in: try HTMLReport.render(Self.document))
        #expect(Self.count(queue, "circle") == 15)
        #expect(Self.count(queue, "polyline", className: "ref") == 1)
    }

    @Test func latencyOverTimeHasStepLinesForP50AndP99() throws {
        let svg = try Self.chart("chart-latency-time", in: try HTMLReport.render(Self.document))
        #expect(Self.attribute(svg, "viewBox") == "0 0 720 236")
        let lines = (svg.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.name == "polyline" }
        #expect(lines.map { Self.attribute($0, "class") } == ["line s1", "line s2"])
        // Two points per window (its start and end).
        #expect(lines.allSatisfy { Self.attribute($0, "points")?.split(separator: " ").count == 10 * 2 })
        let labels = (svg.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.name == "text" }.compactMap(\.stringValue)
        // p50 80 µs … p99 700 µs: decades 10 µs … 1 ms.
        for label in ["p50", "p99", "10 µs", "100 µs", "1.00 ms"] { #expect(labels.contains(label), "\(label)") }
        // The p99 line is above (smaller y than) the p50 line in every window.
        func ys(_ line: XMLElement) -> [Double] {
            (Self.attribute(line, "points") ?? "").split(separator: " ").compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        }
        #expect(zip(ys(lines[1]), ys(lines[0])).allSatisfy { $0 < $1 })
    }

    @Test func windowsWithoutLatencyBreakTheLines() throws {
        var document = Self.document
        for index in [4, 5] { document.windows.series[index].latencyMicros = nil }
        let html = try HTMLReport.render(document)
        let svg = try Self.chart("chart-latency-time", in: html)
        #expect(Self.count(svg, "polyline", className: "s1") == 2)
        #expect(Self.count(svg, "polyline", className: "s2") == 2)
        #expect(ReportHTML(html: html).tableRows("latency-time-table").count == 8)
        // Without any, the chart gives way to a note.
        for index in document.windows.series.indices { document.windows.series[index].latencyMicros = nil }
        let without = try HTMLReport.render(document)
        #expect(!without.contains("chart-latency-time"))
        #expect(without.contains("No latency per time window in this result"))
    }

    @Test func currentLayoutIsDrawnBesideTheRecommendedOne() throws {
        let html = try HTMLReport.render(Self.document)
        let current = try Self.chart("chart-ring-0-current", in: html)
        #expect(Self.count(current, "rect", className: "bar") == 4)
        #expect(Self.count(try Self.chart("chart-ring-0", in: html), "rect", className: "bar") == 5)
        #expect(html.components(separatedBy: "<div class=\"pair\">").count - 1 == 3)
        #expect(html.components(separatedBy: "in use today").count - 1 == 1)
        #expect(html.contains("Today: 4 nodes under ketama"))
        // Without today's layout: one chart per scheme and a hint.
        let plain = try HTMLReport.render(ReportDocuments.synthetic(keys: 6, windows: 10, perWindow: 4, nodes: 5))
        #expect(!plain.contains("chart-ring-0-current"))
        #expect(plain.contains("give plan --current-nodes"))
    }

    @Test func manyNodesBecomeACurve() throws {
        let document = ReportDocuments.synthetic(keys: 3, windows: 3, nodes: 400)
        let svg = try Self.chart("chart-ring-1", in: try HTMLReport.render(document))
        #expect(Self.count(svg, "rect") == 0)
        #expect(Self.count(svg, "polyline") == 1)
    }
}
