import ArgumentParser
import HotshardAnalysis
import HotshardReport

/// What `analyze`, `load` and `replay` keep and where they write it: tracking capacity, how many
/// hot keys, the JSON and HTML paths, the run's name and the terminal's quiet mode.
struct ResultOutputOptions: ParsableArguments {
    @Option(
        help:
            "Keys tracked individually (Space-Saving capacity): counts are exact below it. The default is 65,536 (about 90 MB at peak), or for load every key the profile can name, up to 262,144."
    )
    var capacity: Int?

    @Option(help: "Number of hot keys to print and keep in the result.")
    var top: Int = 20

    @OptionGroup var paths: ResultPathOptions

    @Option(help: "Name of the run, used for default output paths.")
    var name: String?

    @Flag(help: "No progress line and no summary on the terminal.")
    var quiet = false

    @OptionGroup(title: "Model") var model: ModelOptions

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
        if let capacity, capacity < 1 { throw ValidationError("--capacity must be at least 1") }
    }

    /// Hot keys kept in the document: what is printed, and at least the 100 the report shows.
    var keptKeys: Int { max(top, 100) }

    /// The analysis settings with `--capacity` applied, and full statistics for at least twice the
    /// keys kept (the default 1,024 candidates cover `--top` up to 512).
    var analysis: AnalysisConfiguration {
        var configuration = AnalysisConfiguration()
        if let capacity { configuration.capacity = capacity }
        configuration.candidateCapacity = max(1_024, 2 * keptKeys)
        return configuration
    }

    /// The most keys tracked without `--capacity` when a run knows how many keys it can name
    /// (about 0.4 KB each at a load's peak, measured with 110,000 and 210,000 keys: some 105 MB at
    /// the limit).
    static let automaticCapacityLimit = 1 << 18

    /// For a run that can name at most `keys` distinct keys (a load): without `--capacity`, all of
    /// them are tracked, up to `automaticCapacityLimit`, so that per-key counts are exact. The
    /// note says so when they cannot all be.
    func analysis(coveringKeys keys: Int) -> (configuration: AnalysisConfiguration, note: String?) {
        var configuration = analysis
        if capacity == nil {
            configuration.capacity = max(configuration.capacity, min(keys, Self.automaticCapacityLimit))
        }
        guard keys > configuration.capacity else { return (configuration, nil) }
        let note =
            "the profile can name \(keys) keys and \(configuration.capacity) are tracked: the counts of keys "
            + "outside the busiest \(configuration.capacity) are estimates (--capacity \(keys) tracks them all, about 0.4 KB per key)"
        return (configuration, note)
    }

    /// Writes the JSON (atomically) and, unless `--no-html`, the report beside it; without paths
    /// they are `reports/PREFIX NAME.json` and `.html`, NAME being `--name` or `defaultName`.
    /// Callers attach the model first (`model.attach(to:)`), before any redaction: placement
    /// hashes the real keys.
    func write(_ document: ResultDocument, defaultName: String, prefix: String = "") throws -> (json: String, html: String?) {
        try paths.write(document, defaultJSON: "reports/\(prefix)\(name ?? defaultName).json")
    }
}
