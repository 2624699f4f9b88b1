import Testing

@testable import HotshardBytes

/// Appending a view copies exactly its bytes, whatever the array held before.
@Suite struct ByteViewCopyTests {
    @Test func appendingAViewCopiesItsBytes() {
        let source: [UInt8] = Array("*1\r\n$7\r\nuser:42\r\n".utf8)
        var out: [UInt8] = Array("GET ".utf8)
        source.withByteView { view in
            out.append(contentsOf: view.extracting(8..<15))
            out.append(contentsOf: ByteView.empty)
            out.append(contentsOf: view.prefix(upTo: 2))
        }
        #expect(out == Array("GET user:42*1".utf8))
    }
}
