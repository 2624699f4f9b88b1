import ArgumentParser

struct PlaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Print where each key goes under a real system's placement function."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments (this command has not landed yet).")
    var arguments: [String] = []

    func run() async throws {
        try NotAvailableYet.exit("place")
    }
}
