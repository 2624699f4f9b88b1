import HotshardBytes

/// A request's method as a message names it, and what it does to the resource: recognised from
/// the bytes, because making a String and upper-casing it cost a noticeable share of each request.
enum HTTPMethod {
    private static let classes: [(String, OperationClass)] = [
        ("GET", .read), ("HEAD", .read), ("POST", .write), ("PUT", .write), ("PATCH", .write), ("DELETE", .write),
        ("OPTIONS", .other), ("CONNECT", .other), ("TRACE", .other),
    ]
    private static let known: [(name: String, lowercase: [UInt8], operation: OperationClass)] =
        classes.map { (name: $0.0, lowercase: Array($0.0.lowercased().utf8), operation: $0.1) }

    /// The upper-case name and class of `method` (in any letter case, as the parser always accepted).
    static func recognise(_ method: ByteView) -> (name: String, operation: OperationClass) {
        for entry in known where HTTPParser.equalsIgnoringCase(method, entry.lowercase) {
            return (entry.name, entry.operation)
        }
        return (String(decoding: method, as: UTF8.self).uppercased(), .other)
    }
}
