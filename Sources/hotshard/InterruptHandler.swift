import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT into a call (stop reading, then write what was measured) instead of death.
final class InterruptHandler: Sendable {
    /// Dispatch sources are thread-safe, but Linux's Dispatch does not mark them `Sendable`.
    nonisolated(unsafe) private let source: DispatchSourceSignal
    private let didFire = Atomic<Bool>(false)

    init(_ action: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            self?.didFire.store(true, ordering: .relaxed)
            action()
        }
        source.resume()
    }

    var fired: Bool { didFire.load(ordering: .relaxed) }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
