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
        let recorder = StreamRecorder()
        let capture = try BackgroundCapture(options, into: recorder)

        // 200 kB of a known pattern one way, 50 kB back.
        let request = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let reply = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
        try listener.exchange(request: request, reply: reply)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(capture.finish(stopping: true))
        #expect(capture.error == nil)

        let stream = try #require(recorder.streams.first { $0.key.server.port == listener.port }?.value)
        #expect(stream.clientToServer == request)
        #expect(stream.serverToClient == reply)
        #expect(stream.gapBytes == 0)
        let health = capture.session.health
        #expect(health.kernelDrops == 0)
        #expect(health.flows == 1)
    }

    /// Captures UDP to `port` while `body` sends, then stops.
    static func capturingUDP(port: UInt16, _ body: () throws -> Void) throws -> CaptureHealth {
        var options = CaptureOptions()
        options.filter = "udp dst port \(port)"
        options.durationSeconds = 20
        let capture = try BackgroundCapture(options, into: StreamRecorder())
        Thread.sleep(forTimeInterval: 0.2)
        try body()
        #expect(capture.finish(stopping: true))
        #expect(capture.error == nil)
        let health = capture.session.health
        print("udp to \(port): \(health.packets) packets, \(health.bytes) bytes, kernel drops \(health.kernelDrops.map(String.init) ?? "unknown")")
        return health
    }

    /// What the kernel queued before `stop()` is still read: 200 datagrams sent in a burst (fewer than the ring's 256 frames on lo) and the
    /// stop called at once (the capture thread is behind at that moment) are all counted.
    @Test(.enabled(if: isRoot, "live capture needs root or CAP_NET_RAW: skipped"))
    func stopRightAfterABurstKeepsEveryPacket() throws {
        let sender = try UDPSender()
        let health = try Self.capturingUDP(port: sender.port) {
            for index in 0..<200 { try sender.send(count: 64 + index % 512) }
        }
        #expect(health.kernelDrops == 0)
        #expect(health.packets == 200)
    }

    /// A quiet spell longer than the 100 ms read timeout, with a duration set, wakes the loop without
    /// a packet; it must not hand the previous packet over a second time.
    @Test(.enabled(if: isRoot, "live capture needs root or CAP_NET_RAW: skipped"))
    func quietSpellsDoNotRepeatThePreviousPacket() throws {
        let sender = try UDPSender()
        let health = try Self.capturingUDP(port: sender.port) {
            for _ in 0..<3 {
                try sender.send(count: 100)
                Thread.sleep(forTimeInterval: 0.35)
            }
        }
        #expect(health.packets == 3)
        #expect(health.bytes == 3 * (100 + 8 + 20 + 14))
    }

    /// libpcap's read timeout never fires in immediate mode; a duration must end the capture of a
    /// link where nothing passes (here: a port nobody uses).
    @Test(.enabled(if: isRoot, "live capture needs root or CAP_NET_RAW: skipped"))
    func quietLinkEndsAtItsDuration() throws {
        var options = CaptureOptions()
        options.filter = "udp dst port 9"
        options.durationSeconds = 0.5
        let capture = try BackgroundCapture(options, into: StreamRecorder())
        let ended = capture.finish(stopping: false, within: 5)
        if !ended { capture.session.stop() }
        #expect(ended, "a 0.5 s capture of a quiet link was still running after 5 s")
        #expect(capture.session.health.packets == 0)
    }

    @Test func missingInterfaceIsNamed() throws {
        #expect(throws: CaptureError.noSuchInterface("hotshard-nope0")) {
            _ = try CaptureSession(liveInterface: "hotshard-nope0")
        }
    }
}

/// A live capture on `lo`, run on a thread of its own.
final class BackgroundCapture: @unchecked Sendable {
    let session: CaptureSession
    private let done = DispatchSemaphore(value: 0)
    /// What `run` threw; read only after `finish` saw it end.
    private(set) var error: (any Error)?

    init(_ options: CaptureOptions, into sink: some StreamSink & Sendable) throws {
        session = try CaptureSession(liveInterface: "lo", options: options)
        Thread { [self] in
            do { try session.run(into: sink) } catch { self.error = error }
            done.signal()
        }.start()
    }

    /// Waits for the capture to end (asking it to stop first when `stopping`); false when it had
    /// not ended after `seconds`.
    func finish(stopping: Bool, within seconds: Double = 10) -> Bool {
        if stopping { session.stop() }
        return done.wait(timeout: .now() + seconds) == .success
    }
}

/// A loopback TCP server and client made of plain sockets.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let listenFD: Int32

    init() throws {
        let (fd, address) = try LoopbackSocket.boundDescriptor(Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 4) == 0 else {
            close(fd)
            throw RealServerError.noFreePort
        }
        listenFD = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(listenFD) }

    /// Client sends `request`, server reads all of it and answers `reply`, both close.
    func exchange(request: [UInt8], reply: [UInt8]) throws {
        guard let client = LoopbackSocket.connectedDescriptor(port: port) else {
            throw RealServerError.notAccepting("loopback", port)
        }
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

/// Sends UDP datagrams to its own loopback port (the capture sees them whether or not they are read).
final class UDPSender {
    let port: UInt16
    private let fd: Int32
    private var address: sockaddr_in

    init() throws {
        (fd, address) = try LoopbackSocket.boundDescriptor(Int32(SOCK_DGRAM.rawValue))
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    func send(count: Int) throws {
        let payload = [UInt8](repeating: 0x61, count: count)
        let sent = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if sent != count { throw RealServerError.notAccepting("udp", port) }
    }
}
