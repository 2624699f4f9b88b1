import ArgumentParser
import Foundation
import HotshardReport

/// `--redact` and its options, shared by the commands that write results and reports.
struct RedactionOptions: ParsableArguments {
    @Flag(help: "Replace every key with a keyed hash (HMAC-SHA256) in the HTML and the JSON, for reports that leave the team.")
    var redact = false

    @Option(
        name: .customLong("redact-key"),
        help: "Secret for --redact, so that tokens match across runs (default: $HOTSHARD_REDACT_KEY, else random per run).")
    var redactKey: String?

    @Flag(name: .customLong("redact-keep-prefix"), help: "With --redact, keep each key's prefix up to the first delimiter readable.")
    var keepPrefix = false

    @Option(name: .customLong("redact-delimiter"), help: "The prefix delimiter for --redact-keep-prefix (one ASCII character).")
    var delimiter: String = ":"

    func validate() throws {
        if !redact && (redactKey != nil || keepPrefix) {
            throw ValidationError("--redact-key and --redact-keep-prefix need --redact")
        }
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte < 0x80 else {
            throw ValidationError("--redact-delimiter must be one ASCII character")
        }
        if redactKey?.isEmpty == true { throw ValidationError("--redact-key must not be empty") }
    }

    /// The redactor, or nil without --redact.
    var redactor: KeyRedactor? {
        guard redact else { return nil }
        let secret = redactKey ?? ProcessInfo.processInfo.environment["HOTSHARD_REDACT_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return KeyRedactor(secret: secret, keepPrefix: keepPrefix, delimiter: delimiter.utf8.first ?? UInt8(ascii: ":"))
    }
}
