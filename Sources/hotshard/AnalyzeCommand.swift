import ArgumentParser

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Hot keys from capture files or a live interface, then model and report."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments (this command has not landed yet).")
    var arguments: [String] = []

    func run() async throws {
        try NotAvailableYet.exit("analyze")
    }
}
