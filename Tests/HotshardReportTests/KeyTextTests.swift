import HotshardProtocols
import Testing
@testable import HotshardReport

/// How keys and input text are shown: `\xNN` for what is not printable, HTML metacharacters escaped.
@Suite struct KeyTextTests {
    @Test(
        arguments: [
            ([UInt8]("user:42".utf8), "user:42"),
            ([0x00, 0x41, 0x7f, 0xff], "\\x00A\\x7f\\xff"),
            ([UInt8]("a\\b".utf8), "a\\\\b"),
            ([UInt8]("tab\there\r\n".utf8), "tab\\x09here\\x0d\\x0a"),
            ([UInt8]("café ✓".utf8), "café ✓"),
            ([0xc3], "\\xc3"),  // truncated UTF-8
            ([0xc0, 0xaf], "\\xc0\\xaf"),  // overlong encoding of "/"
            ([0xed, 0xa0, 0x80], "\\xed\\xa0\\x80"),  // a UTF-16 surrogate in UTF-8
            ([UInt8]("ab\u{202E}cd".utf8), "ab\\xe2\\x80\\xaecd"),  // right-to-left override
            ([UInt8]("zero\u{200B}width".utf8), "zero\\xe2\\x80\\x8bwidth"),
            ([UInt8]("line\u{2028}sep".utf8), "line\\xe2\\x80\\xa8sep"),
            ([UInt8]("nb\u{00A0}sp".utf8), "nb\\xc2\\xa0sp"),
            ([0xc2, 0x85], "\\xc2\\x85"),  // C1 control NEL
        ] as [([UInt8], String)])
    func escapesWhatIsNotPrintable(bytes: [UInt8], shown: String) {
        #expect(KeyText(bytes: bytes, limit: .max).full == shown)
    }

    @Test func htmlMetacharactersAreEscaped() {
        #expect(HTMLEscape.text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;")
        #expect(HTMLEscape.text("a&b \"q\" 'p'") == "a&amp;b &quot;q&quot; &#39;p&#39;")
        #expect(HTMLEscape.text("</script><script>") == "&lt;/script&gt;&lt;script&gt;")
        #expect(HTMLEscape.text("plain: ✓") == "plain: ✓")
    }

    @Test func longKeysAreShortenedInTheMiddle() {
        let key = Key(Array(("session:" + String(repeating: "x", count: 100) + ":id-1234").utf8))
        let text = KeyText(key, limit: 48)
        #expect(text.isShortened)
        #expect(text.short.count == 48)
        #expect(text.short.hasPrefix("session:xxx"))
        #expect(text.short.hasSuffix(":id-1234"))
        #expect(text.short.contains("…"))
        #expect(text.full.count == 116)
        #expect(!KeyText(Key("short"), limit: 48).isShortened)
    }

    @Test func escapedKeysInThePageShowAsText() throws {
        var document = ReportDocuments.synthetic(keys: 3, windows: 4, nodes: 3)
        document.hotKeys[0].key = Key(Array("<b>bold</b>\u{0}\"'&".utf8))
        document.hotKeys[1].key = Key([0xff, 0xfe, 0x3c])
        let html = try HTMLReport.render(document)
        #expect(html.contains("<code>&lt;b&gt;bold&lt;/b&gt;\\x00&quot;&#39;&amp;</code>"))
        #expect(html.contains("<code>\\xff\\xfe&lt;</code>"))
        #expect(!html.contains("<b>bold"))
    }
}
