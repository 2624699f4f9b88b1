/// Why an encoded HdrHistogram could not be read: what was wrong, in the terms of the format.
public struct HistogramCodecError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "compressed histogram: \(message)" }
}
