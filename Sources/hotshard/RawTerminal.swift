import Foundation

/// The terminal in character mode (no line buffering, no echo) while `top` runs, so that a
/// single keystroke acts at once; Ctrl-C still raises SIGINT. Restored by `restore()`.
final class RawTerminal {
    private var saved = termios()
    private let active: Bool

    init() {
        active = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
        guard active else { return }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        print("\u{1B}[?25l", terminator: "")  // hide the cursor
    }

    func restore() {
        guard active else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
        print("\u{1B}[?25h", terminator: "")
        fflush(nil)  // nil: every stream; naming stdout trips strict concurrency
    }

    /// Waits up to `seconds` for a key; nil when none came (or stdin is not readable).
    func key(waitingUpTo seconds: Double) -> UInt8? {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, seconds * 1000)))
        guard ready > 0, descriptor.revents & Int16(POLLIN) != 0 else {
            if ready > 0 { usleep(UInt32(max(0, seconds) * 1_000_000)) }  // stdin closed: just wait
            return nil
        }
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }
}
