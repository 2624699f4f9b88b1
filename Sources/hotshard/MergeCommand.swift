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

            Load results of a sharded run (`load --shard I/N`): counts add exactly, the corrected and \
            service HdrHistograms add bucket by bucket, per-second rows align on time, and the profile's \
            thresholds are evaluated on the whole (exit 4 when the merged run misses one). Refused: results \
            of different runs (profile, overrides, seed or shard count), a mix of load and analyze results, \
            and two different results of one shard — except that when one of them was interrupted and the \
            other completed (a shard stopped and run again) the completed one is merged, and an identical \
            result given twice is merged once. Missing shards are named in the result.
            \(ExitStatus.help([.success, .failure, .badInput, .thresholdMissed]))
            """
    )

    @Argument(help: "Result JSON files written by analyze (or merge), or the shards' results of one sharded load run.")
    var results: [String]

    @Option(help: ArgumentHelp("Load results: also write the thresholds as JUnit XML.", valueName: "PATH"))
    var junit: String?

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
        var stderr = StandardError()
        var documents: [(path: String, document: ResultDocument)] = []
        for path in results {
            do {
                documents.append((path, try ResultDocument.read(fromPath: path)))
            } catch {
                print("hotshard merge: \(path): \(error)", to: &stderr)
                throw ExitStatus.badInput.exitCode
            }
        }
        let loads = documents.filter { $0.document.source.kind == .load }.count
        if loads > 0 {
            guard loads == documents.count else {
                let other = documents.first { $0.document.source.kind != .load }?.path ?? ""
                print("hotshard merge: \(other) is not a load result: load results merge only with load results", to: &stderr)
                throw ExitStatus.badInput.exitCode
            }
            try mergeLoad(documents)
            return
        }
        var snapshots: [AnalysisSnapshot] = []
        var capture = CaptureHealthSum()
        var inputs: [String] = []
        for (path, document) in documents {
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

    /// The shards of a sharded load run, merged into the whole run's result; exit 4 when the
    /// merged run misses a threshold.
    private func mergeLoad(_ documents: [(path: String, document: ResultDocument)]) throws {
        var stderr = StandardError()
        var merged: (document: ResultDocument, notes: [String])
        do {
            merged = try ResultDocument.mergeLoad(documents, topKeys: max(top, 100))
        } catch {
            print("hotshard merge: \(error.description)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        for note in merged.notes { print("hotshard merge: \(note)", to: &stderr) }
        merged.document.hotKeys = Array(merged.document.hotKeys.prefix(max(top, 100)))
        model.attach(to: &merged.document)
        var paths = self.paths
        if let output { paths.json = output }
        let (jsonPath, htmlPath) = try paths.write(merged.document, defaultJSON: "reports/merged.json")
        if let junit { try JUnitReport.write(merged.document, suite: "hotshard merge (load)", toPath: junit) }
        if !quiet {
            print(TerminalSummary.render(merged.document, top: top, includeHealth: false), terminator: "")
            print(TerminalSummary.load(merged.document))
            print("result     \(jsonPath)")
            if let htmlPath { print("report     \(htmlPath)") }
        }
        for line in TerminalSummary.thresholds(merged.document) { print(line, to: &stderr) }
        if (merged.document.load?.thresholds ?? []).contains(where: { !$0.passed }) {
            throw ExitStatus.thresholdMissed.exitCode
        }
    }
}
