import Foundation

/// `print(…, to: &stderr)` for diagnostics and progress, which never go to stdout.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
