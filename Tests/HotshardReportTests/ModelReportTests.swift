import Foundation
import HotshardAnalysis
import HotshardModel
import HotshardProtocols
import Testing
@testable import HotshardReport

/// The model sections from a real plan over a lab capture: every scheme drawn with its nodes,
/// the recommended one marked, every recommendation listed, node numbers equal to the document's.
@Suite struct ModelReportTests {
    @Test func aRealPlanRendersEverySchemeAndRecommendation() throws {
        var document = try ReportDocuments.fromLab("redis-mget-mset", top: 100)
        let workload = Workload(meanOf: document)
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
        let workload = Workload(meanOf: document)
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

/// Sizing on the busiest window, from the lab's real flash-sale capture (redis-flash-sale: from 40%
/// to 60% of the run `sale:item:42` takes 30% of the requests, truth.json's `args.flash`).
@Suite struct PeakModelTests {
    @Test func sizingWindowTotalIsExactAndTheFlashKeyIsCheckedAtItsOwnPeak() throws {
        let document = try ReportDocuments.fromLab("redis-flash-sale", top: 100)
        let peak = Workload(result: document, basis: .peak)
        let sized = try #require(peak.sizedOn)
        #expect(sized.basis == .peak && sized.windowSeconds == document.windows.seconds)
        // The window's total is exact: its requests times the run's key references per request.
        let busiest = try #require(document.windows.series.first { $0.start == sized.windowStart })
        #expect(busiest.requests == document.windows.series.map(\.requests).max())
        let perRequest = Double(document.totals.keyReferences) / Double(document.totals.requests)
        #expect(abs(peak.totalRate - Double(busiest.requests) * perRequest / document.windows.seconds) < 1e-6)
        // Every key listed in the window has its counted rate there.
        for listed in busiest.top {
            let key = try #require(peak.hotKeys.first { $0.key == listed.key })
            #expect(key.rate == Double(listed.count) / document.windows.seconds)
        }
        // This capture keeps its total rate steady; the sale shows in the flash key alone, which
        // takes 30% of the requests for a fifth of the run: its own busiest second carries about
        // 30% of the mean total rate, far above its whole-run mean (about 6%).
        let flash = try #require(peak.hotKeys.first { $0.key == Key("sale:item:42") })
        let totalMean = Double(document.totals.keyReferences) / document.totals.durationSeconds
        #expect(flash.sizingRate >= 0.25 * totalMean && flash.sizingRate <= 0.45 * totalMean, "\(flash.sizingRate) of \(totalMean)")
        let mean = try #require(Workload(meanOf: document).hotKeys.first { $0.key == Key("sale:item:42") })
        #expect(flash.sizingRate > 3 * mean.rate)
    }

    /// A node capacity between the flash key's mean and its peak: a remedy for it, sized on the
    /// peak; a capacity above its peak: none.
    @Test func remedyForTheFlashKeyOnlyBelowItsPeak() throws {
        let document = try ReportDocuments.fromLab("redis-flash-sale", top: 100)
        let mean = try #require(Workload(meanOf: document).hotKeys.first { $0.key == Key("sale:item:42") }).rate
        let peak = try #require(Workload(result: document, basis: .peak).hotKeys.first { $0.key == Key("sale:item:42") }).sizingRate
        var request = ModelRequest()
        request.schemes = ["jump", "redis-cluster"]
        request.nodeRange = 1...64
        request.capacityPerNode = (mean + peak) / 2 / request.targetUtilisation
        let low = document.modelSection(request)
        let remedies = low.recommendations.filter { $0.key == Key("sale:item:42") && $0.kind != .cache }
        #expect(!remedies.isEmpty)
        let expected = (peak / ((mean + peak) / 2)).rounded(.up)
        #expect(remedies.allSatisfy { $0.factor == expected })
        request.capacityPerNode = peak * 1.2 / request.targetUtilisation
        #expect(document.modelSection(request).recommendations.allSatisfy { $0.key != Key("sale:item:42") })
        // On the mean, the lower capacity sees nothing: the sale is averaged away.
        request.capacityPerNode = (mean + peak) / 2 / request.targetUtilisation
        request.basis = .mean
        #expect(document.modelSection(request).recommendations.allSatisfy { $0.key != Key("sale:item:42") })
    }

    /// Without a node capacity the model needs none: the capacity it reports is the one at which
    /// the most even scheme's busiest node sits exactly at the target.
    @Test func withoutCapacityTheNeededOneIsReported() throws {
        let document = try ReportDocuments.fromLab("redis-flash-sale", top: 100)
        var request = ModelRequest()
        request.schemes = ["jump", "redis-cluster", "ketama"]
        request.currentNodes = 4
        let model = document.modelSection(request)
        #expect(model.capacityPerNode == nil)
        let needed = try #require(model.neededCapacityPerNode)
        let busiest = model.schemes.map { $0.perNode.map(\.rate).max() ?? 0 }.min() ?? 0
        #expect(abs(needed * request.targetUtilisation - busiest) / busiest < 1e-6)
        #expect(model.schemes.allSatisfy { $0.nodes == 4 })
        // The flash key alone is above a node's fair share (the total ÷ 4).
        #expect(model.keysOverFairShare?.contains { $0.key == Key("sale:item:42") } == true)
        let html = try HTMLReport.render(ResultDocument(copying: document, model: model))
        #expect(html.contains("id=\"chart-hottest-node\"") && html.contains("id=\"fair-share-table\""))
        #expect(html.contains("none given"))
    }
}

extension ResultDocument {
    fileprivate init(copying document: ResultDocument, model: ModelSection) {
        self = document
        self.model = model
    }
}
