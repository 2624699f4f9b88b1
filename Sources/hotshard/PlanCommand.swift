import ArgumentParser
import Foundation
import HotshardAnalysis
import HotshardModel
import HotshardReport

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Ring and queue model and partitioning recommendations for a saved result.",
        discussion: ExitStatus.help([.success, .failure, .badInput])
    )

    @Argument(help: "A result document (JSON) written by analyze, load or replay.")
    var result: String

    @Option(help: "Requests per second one node serves at 100% utilisation.")
    var capacity: Double = 50_000

    @Option(name: .customLong("target-utilisation"), help: "Highest utilisation any node may reach (0…1).")
    var targetUtilisation: Double = 0.7

    @Option(help: "p99 objective in milliseconds that every node must also meet.")
    var p99: Double?

    @Option(help: "Candidate schemes, comma-separated (default: all the planner knows).")
    var schemes: String?

    @Option(help: "Node counts to consider, MIN-MAX.")
    var nodes: String = "1-1000"

    @Option(name: .customLong("current-nodes"), help: "Today's node count, for the cost of moving (default: MIN).")
    var currentNodes: Int?

    @Option(name: .customLong("current-scheme"), help: "Today's placement scheme (always among the candidates); the report marks it.")
    var currentScheme: SchemeName?

    @Option(help: "Copies of each key.")
    var replicas: Int = 1

    @Option(name: .customLong("read-policy"), help: "Where reads go with replicas.")
    var readPolicy: PlanConfiguration.ReadPolicy = .primary

    @Option(help: "Worker threads per node (more than 1 uses M/M/c, Erlang C).")
    var threads: Int = 1

    @Flag(help: "Check the recommended layout's hottest node by discrete-event simulation.")
    var simulate = false

    @Option(help: "Write the result document with its model section to this file.")
    var json: String?

    @Flag(help: "Print how long reading the result, planning and rendering took (to standard error).")
    var timings = false

    func parsedRange() throws -> ClosedRange<Int> {
        let parts = nodes.split(separator: "-")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high, high <= 100_000 else {
            throw ValidationError("--nodes must be MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 100000, got '\(nodes)'")
        }
        return low...high
    }

    func validate() throws {
        _ = try parsedRange()
        guard capacity > 0, capacity.isFinite else { throw ValidationError("--capacity must be positive") }
        guard targetUtilisation > 0, targetUtilisation < 1 else { throw ValidationError("--target-utilisation must be in (0, 1)") }
        guard (1...16).contains(replicas) else { throw ValidationError("--replicas must be 1…16") }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be 1…1024") }
        if let p99, !(p99 > 0) { throw ValidationError("--p99 must be positive milliseconds") }
        if let currentNodes, !(1...100_000).contains(currentNodes) { throw ValidationError("--current-nodes must be 1…100000") }
        for name in schemeList where SchemeName(argument: name) == nil {
            throw ValidationError("unknown scheme '\(name)'; known: \(SchemeFactory.names.joined(separator: ", "))")
        }
    }

    var schemeList: [String] {
        schemes.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? PlanConfiguration.defaultSchemes
    }

    func run() async throws {
        var stderr = StandardError()
        let clock = ContinuousClock()
        let started = clock.now
        let data: Data
        var document: ResultDocument
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: result))
            document = try ResultDocument.decode(json: data)
        } catch {
            print("hotshard plan: cannot read result '\(result)': \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        let workload = Workload(result: document)
        let config = PlanConfiguration(
            capacityPerNode: capacity, targetUtilisation: targetUtilisation, p99ObjectiveSeconds: p99.map { $0 / 1000 },
            schemes: schemeList, nodeRange: try parsedRange(), currentNodes: currentNodes, currentScheme: currentScheme?.name, replicas: replicas,
            readPolicy: readPolicy, serverThreads: threads, simulate: simulate)
        let read = clock.now
        // Process CPU time, all threads (POSIX fixes CLOCKS_PER_SEC at 1,000,000).
        let cpuBefore = Double(Foundation.clock()) / 1_000_000
        let plan = Planner(config).plan(workload)
        let planned = clock.now
        let planCPU = Double(Foundation.clock()) / 1_000_000 - cpuBefore
        print(PlanText.render(plan), terminator: "")
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
            document.model = ResultDocument.ModelSection(plan: plan)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let url = URL(fileURLWithPath: json)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
            do {
                try encoder.encode(document).write(to: temporary)
                // rename(2) replaces the destination atomically: never a half-written document.
                guard rename(temporary.path, url.path) == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
                }
            } catch {
                print("hotshard plan: cannot write '\(json)': \(error)", to: &stderr)
                throw ExitStatus.failure.exitCode
            }
            print("wrote \(json)", to: &stderr)
        }
    }
}
