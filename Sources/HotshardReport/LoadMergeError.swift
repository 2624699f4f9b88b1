/// Why `merge` refused a set of load results: which files, and what does not fit.
public struct LoadMergeError: Error, Sendable, CustomStringConvertible {
    /// What was wrong, naming the file or shard.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    /// The message as the command prints it.
    public var description: String { message }
}
