/// The tool's version, reported in every result and by `hotshard --version`.
public enum HotshardVersion {
    /// The tool's version, written into every result (`tool.version`).
    public static let current = "0.1.0"
}
