/// The tool's version, reported in every result and by `hotshard --version`.
///
/// Stamped at build time by the VersionStamp plugin (Plugins/VersionStamp): `git describe` of the
/// checkout (`0.2.0` at tag v0.2.0, `0.2.0-3-g1a2b3c4` after it, `0.1.0+g1a2b3c4` with no tag yet,
/// `-dirty` with uncommitted changes), else the VERSION file.
public enum HotshardVersion {
    /// The tool's version, written into every result (`tool.version`).
    public static let current = HotshardBuildVersion.described
}
