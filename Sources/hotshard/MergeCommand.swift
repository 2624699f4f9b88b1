import ArgumentParser
import HotshardAnalysis
import HotshardReport

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine results analysed on several machines into one.",
        discussion: """
            The results' summary state is merged as Space-Saving summaries merge (Agarwal et al., \
            Mergeable Summaries, PODS 2012): the merged top keys and error bounds are those of \
            analysing all the traffic together, latency histograms add, windows align on time.
            """
    )

    @Argument(help: "Result JSON files written by analyze (or merge).")
    var results: [String]

    @OptionGroup var paths: ResultPathOptions

    /// The old spelling of `--json`, kept so that scripts that used it still work.
    @Option(name: .shortAndLong, help: ArgumentHelp("Same as --json.", visibility: .hidden))
    var output: String?

    @Option(help: "Number of hot keys to print and keep in the result.")
    var top: Int = 20

    @Flag(help: "No summary on the terminal.")
    var quiet = false

    @OptionGroup(title: "Model") var model: ModelOptions

    func validate() throws {
        if results.count < 2 { throw ValidationError("give at least two result files") }
        if output != nil, paths.json != nil { throw ValidationError("give --json PATH (or its old name -o), not both") }
    }

    func run() async throws {
        var snapshots: [AnalysisSnapshot] = []
        var capture = CaptureHealthSum()
        var inputs: [String] = []
        for path in results {
            let document = try ResultDocument.read(fromPath: path)
            guard let state = document.summaryState else {
                throw ValidationError("\(path): the result carries no summary state (it was not written by analyze)")
            }
            snapshots.append(state)
            capture.add(document.capture)
            inputs += document.source.inputs
        }
        let merged = try AnalysisSnapshot.merged(snapshots)
        var document = ResultDocument(
            analysis: merged, capture: capture.total,
            source: ResultDocument.Source(kind: .capture, inputs: inputs),
            topKeys: max(top, 100))
        model.attach(to: &document)
        var paths = self.paths
        if let output { paths.json = output }
        let (jsonPath, htmlPath) = try paths.write(document, defaultJSON: "reports/merged.json")
        if !quiet {
            print(TerminalSummary.render(document, top: top, includeHealth: false), terminator: "")
            print("\nresult     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
    }
}
