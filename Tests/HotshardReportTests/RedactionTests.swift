import Foundation
import HotshardProtocols
@testable import HotshardAnalysis
import Testing
@testable import HotshardReport

/// `--redact`: no key survives in the HTML or the JSON; tokens are stable under one secret.
@Suite struct RedactionTests {
    static func secretKeys(_ rank: Int) -> [UInt8] { Array("customer:alice-\(rank)@example.com".utf8) }

    @Test func noKeyInTheHTMLOrTheJSON() throws {
        var document = ReportDocuments.synthetic(keys: 30, windows: 20, perWindow: 5, nodes: 4, keyText: Self.secretKeys)
        document.emerging = [.init(key: Key(Self.secretKeys(3)), hotSinceSeconds: 2, coolSinceSeconds: nil, shareWhenHot: 0.2, baselinePerWindow: 1)]
        document.prefixGroups = [.init(prefix: Key("customer:"), count: 10, errorBound: 0, share: 0.5)]
        let redactor = KeyRedactor(secret: "s3cret", keepPrefix: false)
        let redacted = redactor.redact(document)
        let html = try HTMLReport.render(redacted)
        let encoder = JSONEncoder()
        let json = String(decoding: try encoder.encode(redacted), as: UTF8.self)
        for text in [html, json] {
            #expect(!text.contains("alice"))
            #expect(!text.contains("example.com"))
            #expect(!text.contains("customer:"))
        }
        #expect(redacted.summaryState == nil)
        #expect(redacted.redaction?.prefixKept == false)
        #expect(html.contains("Keys are redacted"))
        // Same key, same token; the rankings still line up with the windows and the model.
        #expect(redacted.hotKeys[0].key == redactor.redact(Key(Self.secretKeys(0))))
        #expect(redacted.model?.recommendations.compactMap(\.key).first == redacted.hotKeys[0].key)
        #expect(redacted.windows.series[0].top[0].key == redacted.hotKeys[0].key)
        #expect(redacted.emerging?.first?.key == redacted.hotKeys[3].key)
        // Tokens: '#' and 16 hex digits.
        let token = try #require(redacted.hotKeys[0].key.utf8Text)
        #expect(token.range(of: "^#[0-9a-f]{16}$", options: .regularExpression) != nil)
        // Distinct keys stay distinct.
        #expect(Set(redacted.hotKeys.map(\.key)).count == 30)
    }

    @Test func keepsThePrefixWhenAsked() throws {
        let redactor = KeyRedactor(secret: "s3cret", keepPrefix: true)
        let token = try #require(redactor.redact(Key("user:42:name")).utf8Text)
        #expect(token.range(of: "^user:#[0-9a-f]{16}$", options: .regularExpression) != nil)
        #expect(redactor.redact(Key("user:42:name")) != redactor.redact(Key("user:43:name")))
        // No delimiter: the whole key is hashed.
        #expect(try #require(redactor.redact(Key("plain")).utf8Text).hasPrefix("#"))
    }

    @Test func theSecretDecidesTheTokens() {
        let key = Key("user:42")
        #expect(KeyRedactor(secret: "a", keepPrefix: false).redact(key) == KeyRedactor(secret: "a", keepPrefix: false).redact(key))
        #expect(KeyRedactor(secret: "a", keepPrefix: false).redact(key) != KeyRedactor(secret: "b", keepPrefix: false).redact(key))
        // Random per run: two runs disagree.
        #expect(KeyRedactor(secret: nil, keepPrefix: false).redact(key) != KeyRedactor(secret: nil, keepPrefix: false).redact(key))
    }
}
