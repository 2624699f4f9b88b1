import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import HotshardReport

/// Thresholds as JUnit XML: a test case per rule, a failure per missed one, every rule's text
/// escaped (rules are made of `<` and `>`), and the XML well formed for a standard parser.
@Suite struct JUnitReportTests {
    static func document(_ outcomes: [(String, Bool, Double)]) throws -> ResultDocument {
        var document = try ReportDocuments.fromLab("memcached-text")
        document.load = ResultDocument.LoadSection(
            target: "127.0.0.1:11211", wireProtocol: "memcached", arrival: "constant 1000/s", connections: 1,
            pipeline: 1, seed: 1, warmupSeconds: 0, measuredSeconds: 2, targetRate: 1_000, actualRate: 1_000,
            requestsSent: 2_000, completed: 2_000, errors: 3, errorsByKind: [:], dropped: 0, timeouts: 0,
            connectFailures: 0, reconnects: 0, interrupted: false, clientCPUSeconds: 0, seconds: [],
            thresholds: outcomes.map { ResultDocument.LoadSection.ThresholdOutcome(rule: $0.0, passed: $0.1, measured: $0.2) })
        return document
    }

    @Test func oneCasePerThresholdAndAFailurePerMissedOne() throws {
        let xml = JUnitReport.render(
            try Self.document([("p99 < 5ms", false, 7_200), ("errors < 0.1%", true, 0.0015), ("throughput >= 95%", true, 1)]),
            suite: "hotshard load \"a&b\".yaml")
        // Foundation's XML parser: well formed, with the counts and names read back unescaped.
        final class Counter: NSObject, XMLParserDelegate {
            var cases: [String] = []
            var failures: [String] = []
            var suite: [String: String] = [:]
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                if name == "testcase" { cases.append(attributes["name"] ?? "") }
                if name == "failure" { failures.append(attributes["message"] ?? "") }
                if name == "testsuite" { suite = attributes }
            }
        }
        let counter = Counter()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "\(xml)")
        #expect(counter.cases == ["p99 < 5ms", "errors < 0.1%", "throughput >= 95%"])
        #expect(counter.failures == ["missed: p99 < 5ms (measured 7200 µs)"])
        #expect(counter.suite["tests"] == "3" && counter.suite["failures"] == "1")
        #expect(counter.suite["name"] == "hotshard load \"a&b\".yaml")
        #expect(xml.contains("name=\"p99 &lt; 5ms\""))
    }

    @Test func escapesEntitiesAndDropsWhatXMLCannotHold() {
        #expect(JUnitReport.escape("a<b>&\"c'\u{1}\u{7}\td") == "a&lt;b&gt;&amp;&quot;c&#39;\td")
        #expect(JUnitReport.escape("clé ✓") == "clé ✓")
    }
}
