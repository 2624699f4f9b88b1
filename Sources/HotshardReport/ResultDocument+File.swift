import Foundation
import HotshardProtocols

extension ResultDocument {
    /// Writes the document as JSON atomically (a temporary file renamed into place), creating the
    /// folder if needed: an interrupted run never leaves a half-written result.
    public func write(toPath path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encodedJSON().write(to: temporary)
            // rename(2) replaces the destination atomically.
            guard rename(temporary.path, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            unlink(temporary.path)
            throw ResultFileError.unwritable(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// The document's JSON text, members in sorted order.
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The document with its summary state spelled out as JSON, members sorted: a stable form to
    /// compare two documents by (the binary state may order a dictionary differently and hold
    /// the same value).
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var head = self
        head.summaryState = nil
        return try encoder.encode(head) + (summaryState.map { try encoder.encode($0) } ?? Data())
    }

    /// A document from its JSON text (any readable schema version).
    public static func decode(json data: Data) throws -> ResultDocument {
        try JSONDecoder().decode(ResultDocument.self, from: data)
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
            document = try decode(json: data)
        } catch let error as DecodingError {
            throw ResultFileError.invalid(path: path, reason: Self.describe(error))
        }
        guard readableSchemaVersions.contains(document.schemaVersion) else {
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

/// Why a result file could not be read or written; every case names the file.
public enum ResultFileError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)
    case unwritable(path: String, reason: String)

    /// The message printed to the user: the path, then what went wrong.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalid(let path, let reason): "\(path): not a hotshard result: \(reason)"
        case .unwritable(let path, let reason): "\(path): cannot write: \(reason)"
        case .unsupportedVersion(let path, let version):
            "\(path): schemaVersion \(version) is not supported (this hotshard reads \(ResultDocument.readableSchemaVersions.lowerBound) to \(ResultDocument.currentSchemaVersion))"
        }
    }
}
