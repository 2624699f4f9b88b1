import Foundation

/// The executables this package builds (`hotshard`), as the tests that run them find them: the one
/// place that knows where SwiftPM puts them.
public enum BuiltProduct {
    /// The package root (`Tests/HotshardTestSupport/../..`).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `name` built beside the running tests, else in the package's `.build/debug`, else
    /// `.build/release`; nil when none of them exists.
    public static func path(_ name: String) -> String? {
        let runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let candidates =
            [runner.appendingPathComponent(name).path]
            + ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)/\(name)").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The built `hotshard`, nil when it is not built (`swift build --build-tests` builds it).
    public static var hotshard: String? { path("hotshard") }

    /// `.build/release/hotshard` when it is newer than every source file (so that it runs this
    /// code); nil otherwise.
    public static var freshReleaseHotshard: String? {
        let binary = packageRoot.appendingPathComponent(".build/release/hotshard").path
        let files = FileManager.default
        let sourcesDirectory = packageRoot.appendingPathComponent("Sources")
        guard files.isExecutableFile(atPath: binary),
            let built = (try? files.attributesOfItem(atPath: binary))?[.modificationDate] as? Date,
            let sources = files.enumerator(atPath: sourcesDirectory.path)
        else { return nil }
        for case let path as String in sources where path.hasSuffix(".swift") {
            let full = sourcesDirectory.appendingPathComponent(path).path
            if let changed = (try? files.attributesOfItem(atPath: full))?[.modificationDate] as? Date, changed > built {
                return nil
            }
        }
        return binary
    }
}
