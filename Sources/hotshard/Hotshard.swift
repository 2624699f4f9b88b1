import ArgumentParser
import HotshardReport

@main
struct Hotshard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotshard",
        abstract: "Find the hot keys in Redis, memcached and HTTP traffic, model the cluster, and recommend partitioning.",
        version: HotshardVersion.current,
        subcommands: [
            AnalyzeCommand.self,
            TopCommand.self,
            LoadCommand.self,
            ReplayCommand.self,
            SynthCommand.self,
            PlanCommand.self,
            PlaceCommand.self,
            ReportCommand.self,
            MergeCommand.self,
        ]
    )
}
