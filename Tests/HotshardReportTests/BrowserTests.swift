import Foundation
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardReport

/// Chromium's path, nil when it is not installed.
let installedChromium = ExternalTool.find("chromium") ?? ExternalTool.find("chromium-browser")

/// The report in a real browser: headless Chromium from Debian (`scripts/setup/setup.sh` installs it).
/// Skipped, with the reason shown in the test output, when Chromium is absent.
@Suite(
    .enabled(if: installedChromium != nil, "chromium is not installed: run scripts/setup/setup.sh (apt package chromium)"),
    .serialized)
struct BrowserTests {
    static let chromium = installedChromium

    /// Keys that would change the page's title if any of them ran.
    static let hostileKeys = [
        "<img src=x onerror=\"document.title='pwned-img'\">",
        "</script><script>document.title='pwned-script'</script>",
        "\"><svg onload=\"document.title='pwned-svg'\">",
        "'><iframe src=\"javascript:document.title='pwned-frame'\"></iframe>",
        "{{title}}{{{script}}}",
    ]

    struct Run {
        var dom: String
        /// Chromium's console lines (messages, errors, CSP violations).
        var console: [String]
    }

    /// Loads `page` (a file URL with optional fragment) and returns the DOM after scripts ran.
    static func load(_ url: String, extra: [String] = []) throws -> Run {
        guard let chromium, let timeout = ExternalTool.find("timeout") else { throw BrowserError.missing }
        let profile = try Fixtures.temporaryDirectory("hotshard-chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let output = try ExternalTool.run(
            timeout,
            [
                "120", chromium, "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--user-data-dir=\(profile.path)",
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
            ] + extra + [url])
        guard output.status == 0 else { throw BrowserError.failed(status: output.status, stderr: String(output.stderr.suffix(2000))) }
        let console = output.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }.map(String.init)
        return Run(dom: output.stdout, console: console)
    }

    enum BrowserError: Error { case missing, failed(status: Int32, stderr: String) }

    static func hostileDocument() -> ResultDocument {
        var document = ReportDocuments.synthetic(keys: 12, windows: 30, perWindow: 6, nodes: 6)
        for (index, key) in hostileKeys.enumerated() { document.hotKeys[index].key = Key(key) }
        document.hotKeys[hostileKeys.count].key = Key([0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff])
        // The window top lists and the model name the same keys, so the heatmap and recommendations show them too.
        for index in document.windows.series.indices {
            for slot in document.windows.series[index].top.indices where slot < hostileKeys.count {
                document.windows.series[index].top[slot].key = Key(hostileKeys[slot])
            }
        }
        document.model?.recommendations.append(
            .init(kind: .replicate, key: Key(hostileKeys[1]), factor: 3, detail: "</li><script>document.title='pwned-detail'</script>"))
        document.source.inputs = ["<script>document.title='pwned-input'</script>.pcap"]
        return document
    }

    static func write(_ html: String, _ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(html.utf8).write(to: url)
        return url
    }

    /// What the dumped DOM's `<title>` says.
    static func title(_ dom: String) -> String? {
        guard let start = dom.range(of: "<title>"), let end = dom.range(of: "</title>", range: start.upperBound..<dom.endIndex) else { return nil }
        return ReportHTML.unescape(String(dom[start.upperBound..<end.lowerBound]))
    }

    @Test func hostileKeysShowAsTextAndRunNothing() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        let document = Self.hostileDocument()
        let html = try HTMLReport.render(document)
        let page = try Self.write(html, "report.html", in: directory)
        let expectedTitle = try #require(Self.title(html))

        // Sorted by requests, ascending, through the address: the page's script must run for this.
        let run = try Self.load(page.absoluteString + "#sort=hot-keys:count:asc", extra: ["--dump-dom"])
        #expect(run.console.isEmpty, "console: \(run.console.joined(separator: "\n"))")
        #expect(Self.title(run.dom) == expectedTitle)
        let dumped = ReportHTML(html: run.dom)
        #expect(run.dom.contains("data-sortable=\"ready\""))
        #expect(run.dom.contains("data-sorted=\"count:asc\""))
        let counts = dumped.hotKeyRows.compactMap { Int($0.values.first ?? "") }
        #expect(counts.count == document.hotKeys.count)
        #expect(counts == counts.sorted(), "rows are in ascending order of requests after the scripted sort")
        #expect(counts.first == document.hotKeys.map(\.count).min())
        // The keys are there as text, not as elements.
        let shown = Set(dumped.hotKeyRows.map { $0.fullKey ?? $0.key })
        for key in Self.hostileKeys { #expect(shown.contains(KeyText(text: key).full), "\(key)") }
        #expect(shown.contains("\\x00\\x1b[31m\\xff"))
        for element in ["<img", "<iframe", "<svg onload", "<script>document"] {
            #expect(!run.dom.contains(element), "\(element) element in the DOM")
        }
        #expect(run.dom.components(separatedBy: "<script").count - 1 == 1)
    }

    /// Without the page's CSP (so escaping alone must hold) and with a probe appended that
    /// records the page's resource fetches (Resource Timing) after load: none, and nothing ran.
    @Test func noNetworkRequestEvenWithoutTheContentSecurityPolicy() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = try HTMLReport.render(Self.hostileDocument())
        let withoutPolicy = html.replacingOccurrences(
            of: "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReport.contentSecurityPolicy)\">", with: "")
        #expect(withoutPolicy != html)
        let page = try Self.write(Self.probed(withoutPolicy), "unprotected.html", in: directory)
        let run = try Self.load(page.absoluteString, extra: ["--dump-dom"])
        #expect(run.console.isEmpty, "console: \(run.console.joined(separator: "\n"))")
        #expect(run.dom.contains("data-probe-resources=\"0\""), "resource fetches recorded")
        #expect(Self.title(run.dom) == Self.title(html), "an injected script changed the title")

        // The probes see what they look for: a page that fetches and logs.
        let control =
            "<!DOCTYPE html><html><head><title>control</title></head><body><img src=\"http://127.0.0.1:9/x.png\">"
            + "<script>console.error('control error')</script></body></html>"
        let controlRun = try Self.load(try Self.write(Self.probed(control), "control.html", in: directory).absoluteString, extra: ["--dump-dom"])
        #expect(controlRun.console.contains { $0.contains("control error") }, "the console check would see an error")
        #expect(controlRun.dom.contains("data-probe-resources=\"1\""), "the probe would see a request")
    }

    /// `html` with a script before `</body>` that writes the number of fetched resources into the DOM.
    static func probed(_ html: String) -> String {
        let probe =
            "<script>window.addEventListener('load', function () { setTimeout(function () {"
            + " document.body.setAttribute('data-probe-resources', String(performance.getEntriesByType('resource').length)); }, 200); });</script>"
        return html.replacingOccurrences(of: "</body>", with: probe + "</body>")
    }

    @Test func screenshotAtDesktopAndPhoneWidths() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try Self.write(
            try HTMLReport.render(ReportDocuments.synthetic(keys: 40, windows: 120, nodes: 8, currentNodes: 6)), "report.html", in: directory)
        for (name, size) in [("desktop.png", "1280,2400"), ("phone.png", "390,2400")] {
            let shot = directory.appendingPathComponent(name)
            let run = try Self.load(page.absoluteString, extra: ["--screenshot=\(shot.path)", "--window-size=\(size)", "--hide-scrollbars"])
            #expect(run.console.isEmpty, "console: \(run.console.joined(separator: "\n"))")
            let data = try Data(contentsOf: shot)
            #expect(data.starts(with: [0x89, 0x50, 0x4e, 0x47]), "a PNG")
            #expect(data.count > 20_000, "\(name) has content (\(data.count) bytes)")
            if let keep = ProcessInfo.processInfo.environment["HOTSHARD_KEEP_SCREENSHOTS"] {
                try? FileManager.default.copyItem(at: shot, to: URL(fileURLWithPath: keep).appendingPathComponent(name))
            }
        }
    }

    /// Printing: A4 pages, every chart kept (the print CSS shows the whole hot-key table).
    @Test func printsOnA4() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try Self.write(try HTMLReport.render(ReportDocuments.synthetic(keys: 60, windows: 120, nodes: 8)), "report.html", in: directory)
        let pdf = directory.appendingPathComponent("report.pdf")
        let run = try Self.load(page.absoluteString, extra: ["--print-to-pdf=\(pdf.path)", "--no-pdf-header-footer"])
        #expect(run.console.isEmpty, "console: \(run.console.joined(separator: "\n"))")
        let text = String(decoding: try Data(contentsOf: pdf), as: UTF8.self)
        let boxes = text.components(separatedBy: "/MediaBox [0 0 594.9").count - 1
        #expect(boxes >= 2, "A4 pages (595 × 842 pt): \(boxes)")
        #expect(!text.contains("/MediaBox [0 0 612"), "no US Letter pages")
    }

    /// The hot-key table fits a 1280 px window with long keys and seven-digit counts: its right
    /// edge, measured by the browser, is inside the page (the last columns used to be cut off).
    @Test func theHotKeyTableFitsA1280PixelWindow() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-browser")
        defer { try? FileManager.default.removeItem(at: directory) }
        var document = ReportDocuments.synthetic(keys: 30, windows: 20, nodes: 4) { rank in
            Array("session:tenant-\(rank):user:\(String(repeating: "0", count: 12)):profile:settings:v2".utf8)
        }
        for index in document.hotKeys.indices {
            document.hotKeys[index].errorBound = 123_456
            document.hotKeys[index].hotSince = 1_234.5
        }
        let html = try HTMLReport.render(document)
            .replacingOccurrences(of: "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLReport.contentSecurityPolicy)\">", with: "")
        let measure =
            "<script>window.addEventListener('load', function () { var t = document.getElementById('hot-keys');"
            + " document.title = 'table ' + Math.ceil(t.getBoundingClientRect().right) + ' window ' + document.documentElement.clientWidth; });</script>"
        let page = try Self.write(html.replacingOccurrences(of: "</body>", with: measure + "</body>"), "wide.html", in: directory)
        let run = try Self.load(page.absoluteString, extra: ["--dump-dom", "--window-size=1280,900", "--hide-scrollbars"])
        let words = (Self.title(run.dom) ?? "").split(separator: " ")
        let right = words.count == 4 ? Int(words[1]) : nil, width = words.count == 4 ? Int(words[3]) : nil
        #expect(right != nil && width == 1280, "\(words)")
        #expect((right ?? .max) <= (width ?? 0), "the table ends at \(right ?? -1) px in a \(width ?? -1) px window")
    }
}
