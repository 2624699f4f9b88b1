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
        let configuration = PlanConfiguration(capacityPerNode: 400, targetUtilisation: 0.7,
                                              schemes: ["ketama", "redis-cluster", "jump"], nodeRange: 1...24)
        let plan = Planner(configuration).plan(workload)
        let model = ResultDocument.ModelSection(plan: plan)
        document.model = model
        let html = try HTMLReport.render(document)
        let page = ReportHTML(html: html)

        #expect(model.schemes.count == 3)
        for (index, scheme) in model.schemes.enumerated() {
            #expect(html.contains("id=\"chart-ring-\(index)\""))
            #expect(html.contains("<h3>\(scheme.scheme): \(ReportFormat.integer(scheme.nodes)) nodes, busiest at \(ReportFormat.decimal(scheme.maxOverMean, 2))× the mean"))
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
}
