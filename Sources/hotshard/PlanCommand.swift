import ArgumentParser
import Foundation
import HotshardModel
import HotshardReport

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Ring and queue model and partitioning recommendations for a saved result.",
        discussion: """
            analyze, load, replay, top and merge already run this model with the same options; plan \
            re-runs it on a saved result for what-ifs and writes the identical model section for the same options.

            """ + ExitStatus.help([.success, .failure, .badInput])
    )

    @Argument(help: "A result document (JSON) written by analyze, load, replay, top or merge.")
    var result: String

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("capacity"), help: ArgumentHelp("The old spelling of --node-capacity.", visibility: .hidden))
    var legacyCapacity: Double?

    @Option(name: .customLong("threads"), help: ArgumentHelp("The old spelling of --server-threads.", visibility: .hidden))
    var legacyThreads: Int?

    @Option(help: "Write the result document with its model section to this file.")
    var json: String?

    @Flag(help: "Print how long reading the result, planning and rendering took (to standard error).")
    var timings = false

    func validate() throws {
        if let legacyCapacity, !(legacyCapacity > 0 && legacyCapacity.isFinite) { throw ValidationError("--capacity must be positive") }
        if legacyCapacity != nil && model.nodeCapacity != nil {
            throw ValidationError("give --node-capacity or its old spelling --capacity, not both")
        }
        if let legacyThreads, !(1...1024).contains(legacyThreads) { throw ValidationError("--threads must be 1…1024") }
    }

    func run() async throws {
        var stderr = StandardError()
        let clock = ContinuousClock()
        let started = clock.now
        var document: ResultDocument
        do {
            document = try ResultDocument.read(fromPath: result)
        } catch {
            print("hotshard plan: \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        var request = model.request(for: document, capacity: legacyCapacity)
        if let legacyThreads { request.serverThreads = legacyThreads }
        let read = clock.now
        // Process CPU time, all threads (POSIX fixes CLOCKS_PER_SEC at 1,000,000).
        let cpuBefore = Double(Foundation.clock()) / 1_000_000
        let (section, plan, workload, needed) = document.modelRun(request)
        document.model = section
        let planned = clock.now
        let planCPU = Double(Foundation.clock()) / 1_000_000 - cpuBefore
        print(PlanText.render(plan, neededCapacity: needed, sizedOn: workload.sizedOn), terminator: "")
        if timings {
            func seconds(_ d: Duration) -> String { String(format: "%.3f s", Double(d.components.attoseconds) / 1e18 + Double(d.components.seconds)) }
            print(
                "timings: read \(seconds(read - started)) (\(workload.hotKeys.count) hot keys), plan \(seconds(planned - read)) (\(String(format: "%.3f", planCPU)) s CPU), render \(seconds(clock.now - planned))",
                to: &stderr)
            let perScheme = plan.schemes.map { "\($0.scheme) \(String(format: "%.3f", $0.plannedSeconds))" }.joined(separator: ", ")
            print(
                "timings: keys hashed and ordered \(String(format: "%.3f s", plan.keyPreparationSeconds)); per scheme (in parallel, seconds): \(perScheme)",
                to: &stderr)
        }
        if let json {
            do {
                try document.write(toPath: json)
            } catch {
                print("hotshard plan: \(error)", to: &stderr)
                throw ExitStatus.failure.exitCode
            }
            print("wrote \(json)", to: &stderr)
        }
    }
}
