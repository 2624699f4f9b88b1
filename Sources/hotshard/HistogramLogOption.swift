import ArgumentParser

/// `--hlog`, shared by `load` and `replay`: the HdrHistogram interval log of a run's latencies.
struct HistogramLogOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also write an HdrHistogram interval log (v1.3, tags corrected and service, µs) of the measured latencies, one interval a second.",
            valueName: "PATH"))
    var hlog: String?
}
