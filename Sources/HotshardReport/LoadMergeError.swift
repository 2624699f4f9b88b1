/// Why `merge` refused a set of load results: which files, and what does not fit.
public struct LoadMergeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
