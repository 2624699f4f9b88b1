import Foundation
import Testing
import HotshardTestSupport
@testable import HotshardCapture

/// Live capture on `lo`: known bytes sent over a real loopback TCP connection come out of the
/// reassembler exactly. Needs root (or CAP_NET_RAW); skipped, visibly, otherwise.
@Suite struct LiveCaptureTests {
    static let isRoot = getuid() == 0

    @Test(.enabled(if: isRoot, "live capture needs root or CAP_NET_RAW: skipped"))
    func loopbackBytesComeOutExactly() throws {
        let listener = try LoopbackListener()
        var options = CaptureOptions()
        options.filter = "tcp port \(listener.port)"
        options.durationSeconds = 20
        let session = try CaptureSession(liveInterface: "lo", options: options)
        let recorder = StreamRecorder()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var runError: (any Error)?
        let thread = Thread {
            do { try session.run(into: recorder) } catch { runError = error }
            done.signal()
        }
        thread.start()

        // 200 kB of a known pattern one way, 50 kB back.
        let request = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let reply = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
        try listener.exchange(request: request, reply: reply)
        Thread.sleep(forTimeInterval: 0.5)
        session.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(runError == nil)

        let stream = try #require(recorder.streams.first { $0.key.server.port == listener.port }?.value)
        #expect(stream.clientToServer == request)
        #expect(stream.serverToClient == reply)
        #expect(stream.gapBytes == 0)
        let health = session.health
        #expect(health.kernelDrops == 0)
        #expect(health.flows == 1)
    }

    @Test func missingInterfaceIsNamed() throws {
        #expect(throws: CaptureError.noSuchInterface("hotshard-nope0")) {
            _ = try CaptureSession(liveInterface: "hotshard-nope0")
        }
    }
}

/// A loopback TCP server and client made of plain sockets.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let listenFD: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw RealServerError.noFreePort
        }
        listenFD = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(listenFD) }

    /// Client sends `request`, server reads all of it and answers `reply`, both close.
    func exchange(request: [UInt8], reply: [UInt8]) throws {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw RealServerError.notAccepting("loopback", port) }
        let server = accept(listenFD, nil, nil)
        let writer = Thread { Self.writeAll(client, request) }
        writer.start()
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received < request.count {
            let n = buffer.withUnsafeMutableBytes { read(server, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += n
        }
        Self.writeAll(server, reply)
        var drained = 0
        while drained < reply.count {
            let n = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            drained += n
        }
        close(client)
        close(server)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }
}
