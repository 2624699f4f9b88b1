import Foundation

extension ResultDocument {
    /// Writes the document as JSON atomically (a temporary file renamed into place), creating the
    /// folder if needed: an interrupted run never leaves a half-written result.
    public func write(toPath path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// Reads a result document, naming the file in every error.
    public static func read(fromPath path: String) throws -> ResultDocument {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ResultFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        let document: ResultDocument
        do {
            document = try JSONDecoder().decode(ResultDocument.self, from: data)
        } catch let error as DecodingError {
            throw ResultFileError.invalid(path: path, reason: Self.describe(error))
        }
        guard document.schemaVersion == currentSchemaVersion else {
            throw ResultFileError.unsupportedVersion(path: path, version: document.schemaVersion)
        }
        return document
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

public enum ResultFileError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalid(let path, let reason): "\(path): not a hotshard result: \(reason)"
        case .unsupportedVersion(let path, let version):
            "\(path): schemaVersion \(version) is not supported (this hotshard reads \(ResultDocument.currentSchemaVersion))"
        }
    }
}
