import Foundation
import PackagePlugin

/// Writes `HotshardBuildVersion.swift` into the target it is applied to, on every build, from
/// `scripts/package/version.sh` (`git describe`, else the VERSION file): `hotshard --version` and
/// the result documents' `tool.version` name the commit that was built, whether the build came
/// from `swift build` on a fresh clone, `make`, or a source tarball without git.
///
/// A prebuild command (not a build command) because the version depends on the git state, which
/// no input file list captures; the script rewrites the file only when the version changes, so an
/// unchanged version recompiles nothing. The command runs the system `/bin/sh` (prebuild commands
/// may not run tools built from source).
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputs = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = context.package.directoryURL.appendingPathComponent("scripts/package/version.sh")
        return [
            .prebuildCommand(
                displayName: "Stamping the version into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, "--swift", outputs.appendingPathComponent("HotshardBuildVersion.swift").path],
                outputFilesDirectory: outputs
            ),
        ]
    }
}
