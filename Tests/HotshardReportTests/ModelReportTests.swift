import Foundation
import HotshardAnalysis
import HotshardModel
import Testing
@testable import HotshardReport

/// The model sections from a real plan over a lab capture: every scheme drawn with its nodes,
/// the recommended one marked, every recommendation listed, node numbers equal to the document's.
@Suite struct ModelReportTests {
    @Test func aRealPlanRendersEverySchemeAndRecommendation() throws {
        var document = try ReportDocuments.fromLab("redis-mget-mset", top: 100)
        let workload = Workload(result: document)
        let configuration = PlanConfiguration(
            capacityPerNode: 400, targetUtilisation: 0.7,
            schemes: ["ketama", "redis-cluster", "jump"], nodeRange: 1...24)
        let plan = Planner(configuration).plan(workload)
        let model = ResultDocument.ModelSection(plan: plan)
        document.model = model
        let html = try HTMLReport.render(document)
        let page = ReportHTML(html: html)

        #expect(model.schemes.count == 3)
        for (index, scheme) in model.schemes.enumerated() {
            #expect(html.contains("id=\"chart-ring-\(index)\""))
            #expect(
                html.contains(
                    "<h3>\(scheme.scheme): \(ReportFormat.integer(scheme.nodes)) nodes, busiest at \(ReportFormat.decimal(scheme.maxOverMean, 2))× the mean"
                ))
            // The table behind the chart: the busiest nodes, utilisations as in the document.
            let article = page.section(from: "<h3>\(scheme.scheme):", to: "</article>")
            let shown = page.matches(#"<tr><td>([^<]*)</td><td data-v="([^"]*)">[^<]*</td><td data-v="([^"]*)">"#, in: article)
            let expected = scheme.perNode.sorted { $0.utilisation > $1.utilisation }.prefix(ReportView.Limits.schemeTableRows)
            #expect(shown.map { Double($0[3]) } == expected.map(\.utilisation))
            #expect(shown.map { Double($0[2]) } == expected.map(\.rate))
        }
        if let recommended = plan.recommendedScheme {
            #expect(html.contains("<h3>\(recommended): ") && html.contains("<span class=\"badge\">recommended</span>"))
            #expect(html.components(separatedBy: "<span class=\"badge\">recommended</span>").count - 1 == 1)
        }
        let items = page.section(from: "<ol class=\"recommendations\">", to: "</ol>").components(separatedBy: "<li>").count - 1
        #expect(items == model.recommendations.count)
        #expect(html.contains("id=\"chart-queue\""))
        #expect(!html.contains("This result has no model section"))
    }

    /// With today's layout given (`plan --current-nodes 3 --current-scheme modulo-crc32`), every
    /// scheme's load at 3 nodes equals placing each key with the scheme itself, and is drawn
    /// beside the recommended layout; today's scheme joins the candidates and is marked.
    @Test func todaysLayoutIsPlannedAndDrawnBesideTheRecommendedOne() throws {
        var document = try ReportDocuments.fromLab("redis-mget-mset", top: 100)
        let workload = Workload(result: document)
        // A capacity no single key exceeds, so that no key is split (split keys are placed as sub-keys).
        let capacity = 2 * (workload.hotKeys.map(\.rate).max() ?? 1)
        let configuration = PlanConfiguration(
            capacityPerNode: capacity, targetUtilisation: 0.7, schemes: ["ketama", "jump"],
            nodeRange: 1...24, currentNodes: 3, currentScheme: "modulo-crc32")
        let plan = Planner(configuration).plan(workload)
        let model = ResultDocument.ModelSection(plan: plan)
        document.model = model
        #expect(model.schemes.map(\.scheme).sorted() == ["jump", "ketama", "modulo-crc32"])
        #expect(model.currentNodes == 3 && model.currentScheme == "modulo-crc32")
        for scheme in model.schemes {
            let current = try #require(scheme.current, "\(scheme.scheme)")
            #expect(current.nodes == 3 && current.perNode.count == 3)
            let placement = try SchemeFactory.make(scheme.scheme, servers: ServerSpec.numbered(3))
            var expected = placement.shares().map { $0 * workload.tailRate }
            let nodes = placement.assign(hashes: workload.hotKeys.map { placement.keyHash($0.key) }, rates: workload.hotKeys.map(\.rate))
            for (key, node) in zip(workload.hotKeys, nodes) { expected[node] += key.rate }
            for (shown, want) in zip(current.perNode.map(\.rate), expected) {
                #expect(abs(shown - want) <= 1e-9 * max(1, want), "\(scheme.scheme): \(shown) vs \(want)")
            }
        }
        let html = try HTMLReport.render(document)
        let page = ReportHTML(html: html)
        #expect(html.contains("Today: 3 nodes under modulo-crc32"))
        #expect(html.components(separatedBy: "in use today").count - 1 == 1)
        for (index, scheme) in model.schemes.enumerated() {
            #expect(html.contains("id=\"chart-ring-\(index)-current\""))
            // The first table of the article is today's: its busiest nodes' utilisations.
            let article = page.section(from: "<h3>\(scheme.scheme):", to: "</article>")
            let today = String(article[..<(article.range(of: "</table>")?.upperBound ?? article.endIndex)])
            let shown = page.matches(#"<tr><td>([^<]*)</td><td data-v="([^"]*)">[^<]*</td><td data-v="([^"]*)">"#, in: today)
            let expected = (scheme.current?.perNode ?? []).sorted { $0.utilisation > $1.utilisation }
            #expect(shown.map { Double($0[3]) } == expected.map(\.utilisation), "\(scheme.scheme)")
        }
    }
}
