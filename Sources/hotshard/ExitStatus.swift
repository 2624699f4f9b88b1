import ArgumentParser

/// The exit statuses of every command: one meaning per number, listed in each command's help and
/// in the README. argument-parser itself exits 64 (EX_USAGE) for a bad option or argument.
enum ExitStatus: Int32, CaseIterable {
    /// Done; everything asked for was written.
    case success = 0
    /// An error stopped the command (a capture that cannot be opened, a server that cannot be
    /// reached, a refused target); nothing usable was written.
    case failure = 1
    /// A file or value named on the command line could not be read or is not valid: a result, a
    /// profile, a cluster dump, a target URL or a threshold rule. The message names it.
    case badInput = 2
    /// The capture was damaged (truncated or malformed packets, a file cut short, parse errors);
    /// the partial result was written.
    case damagedInput = 3
    /// A threshold of the profile or of `--threshold` was missed; the result was written.
    case thresholdMissed = 4

    /// The error that ends the command with this status.
    var exitCode: ExitCode { ExitCode(rawValue) }

    /// What the status means, for help text.
    var meaning: String {
        switch self {
        case .success: "ok"
        case .failure: "error, nothing usable written"
        case .badInput: "a file or value given could not be read or is not valid"
        case .damagedInput: "the input was damaged (truncated or malformed packets, parse errors); the partial result was written"
        case .thresholdMissed: "a threshold was missed; the result was written"
        }
    }

    /// "Exit status: 0 ok; 1 …; 64 usage error." for the statuses a command can end with.
    static func help(_ statuses: [ExitStatus]) -> String {
        "Exit status: " + statuses.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: "; ")
            + "; 64 a bad option or argument."
    }
}
