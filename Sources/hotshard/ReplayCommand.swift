import ArgumentParser

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-send the requests of a capture to a server at original timing, a speed factor or a rate."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments (this command has not landed yet).")
    var arguments: [String] = []

    func run() async throws {
        try NotAvailableYet.exit("replay")
    }
}
