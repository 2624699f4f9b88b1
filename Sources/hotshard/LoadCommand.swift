import ArgumentParser

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Synthetic open-loop load against a server from a workload profile."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments (this command has not landed yet).")
    var arguments: [String] = []

    func run() async throws {
        try NotAvailableYet.exit("load")
    }
}
