import Foundation
import HotshardProtocols

extension ResultDocument {
    /// Writes the document as JSON atomically (a temporary file renamed into place), creating the
    /// folder if needed: an interrupted run never leaves a half-written result. The text is what
    /// JSONEncoder (`.sortedKeys`, `.withoutEscapingSlashes`) writes, but the summary state is
    /// streamed to the file rather than built as a tree (see `writeJSON`).
    public func write(toPath path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw ResultFileError.unwritable(path: path, reason: String(cString: strerror(errno))) }
        do {
            let output = JSONOutput(descriptor: descriptor)
            try writeJSON(to: output)
            try output.flush()
            guard close(descriptor) == 0 else { throw JSONOutputError.writeFailed(errno: errno) }
            // rename(2) replaces the destination atomically.
            guard rename(temporary, path) == 0 else { throw JSONOutputError.writeFailed(errno: errno) }
        } catch {
            _ = close(descriptor)
            unlink(temporary)
            throw ResultFileError.unwritable(path: path, reason: "\(error)")
        }
    }

    /// The document's JSON text: everything but the summary state through JSONEncoder, and the
    /// summary state (nearly all of a big document) streamed in at its sorted place.
    public func writeJSON(to output: JSONOutput) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var head = self
        head.summaryState = nil
        let text = try encoder.encode(head)
        guard let summaryState else {
            try text.withUnsafeBytes { try output.raw($0) }
            return
        }
        try text.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            var cursor = try scanner.beginObject()
            var before = scanner.offset, membersBefore = false, membersAfter = false
            while let name = try scanner.nextMember(&cursor) {
                if name.withBytes({ "summaryState".utf8.lexicographicallyPrecedes($0) }) {
                    membersAfter = true
                    break
                }
                try scanner.skipValue()
                before = scanner.offset
                membersBefore = true
            }
            try output.raw(UnsafeRawBufferPointer(rebasing: bytes[..<before]))
            try output.raw(membersBefore ? ",\"summaryState\":" : "\"summaryState\":")
            try summaryState.writeJSON(to: output)
            if membersAfter && !membersBefore { try output.byte(UInt8(ascii: ",")) }
            try output.raw(UnsafeRawBufferPointer(rebasing: bytes[before...]))
        }
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
        } catch let error as JSONScanError {
            throw ResultFileError.invalid(path: path, reason: error.description)
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
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalid(let path, let reason): "\(path): not a hotshard result: \(reason)"
        case .unwritable(let path, let reason): "\(path): cannot write: \(reason)"
        case .unsupportedVersion(let path, let version):
            "\(path): schemaVersion \(version) is not supported (this hotshard reads \(ResultDocument.currentSchemaVersion))"
        }
    }
}
