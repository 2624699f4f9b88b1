import Foundation

/// Paths of the test fixtures in `Tests/Fixtures`, found from this source file so that tests
/// run from any working directory.
public enum Fixtures {
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// `Tests/Fixtures/<relativePath>`.
    public static func path(_ relativePath: String) -> String {
        directory.appendingPathComponent(relativePath).path
    }

    /// A fresh temporary directory for one test, removed by the caller when done.
    public static func temporaryDirectory(_ label: String = "hotshard-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
