/// `HELLO 3`, which switches a connection to RESP3.
enum EncodedHello {
    static let bytes = RequestEncoder.hello3
}
