import HotshardAnalysis
import HotshardLoad
import Testing

@testable import HotshardReport

/// What went wrong around a load run's measurement reaches its result, not only stderr: the
/// report's confidence section and `merge` read `inputProblems`.
@Suite struct LoadResultProblemsTests {
    static func run() -> LoadRun {
        LoadRun(
            target: "amqp://127.0.0.1:5672", wireProtocol: "amqp", arrival: "constant 100/s", seed: 1,
            analysis: HotKeyAnalyzer(configuration: AnalysisConfiguration()).snapshot())
    }

    @Test func anUnansweredCloseAndAnIncompleteLogAreInputProblems() {
        var run = Self.run()
        run.histogramLogProblem = "write failed: No space left on device"
        run.amqpUnansweredCloses = 2
        let document = ResultDocument(load: run, profilePath: "p.yaml", topKeys: 10)
        #expect(
            document.inputProblems == [
                "--hlog: write failed: No space left on device",
                "2 AMQP connections were closed without the broker's connection.close-ok (no answer in time, "
                    + "or it closed first): publishes sent on them without confirms may not all be in their queues",
            ])
    }

    @Test func aRunWithoutProblemsHasNone() {
        #expect(ResultDocument(load: Self.run(), profilePath: "p.yaml", topKeys: 10).inputProblems == nil)
    }
}
