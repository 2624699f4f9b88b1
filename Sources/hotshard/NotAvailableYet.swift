import ArgumentParser

/// A command whose implementation has not landed: it says so and exits 2, never pretending.
enum NotAvailableYet {
    static func exit(_ command: String) throws -> Never {
        var stderr = StandardError()
        print("hotshard \(command): not available yet", to: &stderr)
        throw ExitCode(2)
    }
}
