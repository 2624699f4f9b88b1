import Foundation

extension Process {
    /// Starts the process with no signal blocked. Test code runs on worker threads that block
    /// most signals, and a child inherits its parent thread's mask across fork and exec: a server
    /// would then ignore SIGTERM, and tmux (which lives on SIGCHLD) would never see its panes.
    public func runWithUnblockedSignals() throws {
        var empty = sigset_t()
        var saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try run()
    }
}
