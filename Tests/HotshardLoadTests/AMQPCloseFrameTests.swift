import Testing

@testable import HotshardLoad

/// The frames of the close handshake, byte for byte as pika 1.3 marshals them
/// (`pika.frame.Method(0, pika.spec.Connection.Close(200, "Normal shutdown", 0, 0)).marshal()`:
/// 0100000000001a000a003200c80f4e6f726d616c2073687574646f776e00000000ce, and
/// `Connection.CloseOk()`: 01000000000004000a0033ce).
struct AMQPCloseFrameTests {
    /// Method frame (1) on channel 0, 26-byte payload: class 10, method 50, reply-code 200, the
    /// reply text as a short string (15 bytes), class-id 0, method-id 0; frame end 0xCE.
    @Test func connectionCloseIsPikas() {
        let expected: [UInt8] =
            [1, 0, 0, 0, 0, 0, 26, 0, 10, 0, 50, 0, 200, 15] + Array("Normal shutdown".utf8) + [0, 0, 0, 0, 0xCE]
        #expect(AMQPFrameWriter.connectionClose() == expected)
    }

    /// Method frame on channel 0, 4-byte payload: class 10, method 51, no arguments.
    @Test func connectionCloseOKIsPikas() {
        #expect(AMQPFrameWriter.connectionCloseOK == [1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 51, 0xCE])
    }
}
