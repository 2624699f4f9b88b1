/// The tool's version, reported in every result and by `hotshard --version`.
public enum HotshardVersion {
    public static let current = "0.1.0"
}
