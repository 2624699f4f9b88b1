import Foundation
import HotshardModel
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardReport

/// The model of an analysed capture, as Chromium renders the report: the page opens on the
/// recommendation, and the model section has the sizing window, the busiest node over time and
/// the remedy for the flash key, with no console error.
@Suite(.enabled(if: installedChromium != nil, "chromium is not installed: run scripts/setup/setup.sh (apt package chromium)"))
struct ModelBrowserTests {
    @Test func analysedFlashSaleShowsItsModel() throws {
        var document = try ReportDocuments.fromLab("redis-flash-sale", top: 100)
        var request = ModelRequest()
        request.schemes = ["jump", "redis-cluster", "ketama"]
        request.nodeRange = 1...64
        request.currentNodes = 4
        request.currentScheme = "ketama"
        let flash = try #require(Workload(result: document, basis: .peak).hotKeys.first { $0.key == Key("sale:item:42") })
        request.capacityPerNode = flash.sizingRate / 2 / request.targetUtilisation
        document.model = document.modelSection(request)
        let directory = try Fixtures.temporaryDirectory("hotshard-model-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try BrowserTests.write(try HTMLReport.render(document), "model.html", in: directory)
        let run = try BrowserTests.load(page.absoluteString, extra: ["--dump-dom"])
        #expect(run.console.isEmpty, "console: \(run.console.joined(separator: "\n"))")
        let dom = run.dom
        #expect(dom.contains("id=\"chart-hottest-node\""))
        #expect(dom.contains("Sized on the busiest 1 s window"))
        #expect(dom.contains("id=\"hottest-table\""))
        // The recommendations list names the flash key with its remedy.
        let recommendations = try #require(dom.range(of: "class=\"recommendations\"")).upperBound
        #expect(dom[recommendations...].contains("sale:item:42"))
        // The recommendation comes before the hot-key table: the page opens on the decision.
        let decision = try #require(dom.range(of: "id=\"recommendations\"")?.lowerBound ?? dom.range(of: "class=\"recommendations\"")?.lowerBound)
        let hotKeys = try #require(dom.range(of: "id=\"hot-keys-section\"")?.lowerBound)
        #expect(decision < hotKeys, "the recommendations should open the report")
    }
}
