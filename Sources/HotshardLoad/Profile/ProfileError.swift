/// A profile that cannot be used: the file, the line (when known), the field and what is wrong.
public struct ProfileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    /// Dotted path of the field (`arrival.rate`, `operations[2].weight`).
    public var field: String
    public var message: String

    public init(file: String, line: Int?, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}
