import Dispatch
import Foundation

/// Turns SIGINT into a call (stop reading, then write what was measured) instead of death.
final class InterruptHandler: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = NSLock()
    private var didFire = false

    init(_ action: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            self?.lock.withLock { self?.didFire = true }
            action()
        }
        source.resume()
    }

    var fired: Bool { lock.withLock { didFire } }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
