import ArgumentParser

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live, refreshing terminal view of the hottest keys on an interface."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments (this command has not landed yet).")
    var arguments: [String] = []

    func run() async throws {
        try NotAvailableYet.exit("top")
    }
}
