import Foundation
import Testing
import HotshardTestSupport
@testable import HotshardCapture

/// Truncated, malformed and empty captures give a clear message or counted errors, never a crash.
@Suite struct BadCaptureTests {
    @Test(arguments: ["capture/empty.pcap", "capture/empty.pcapng"])
    func emptyCapturesHaveNoPackets(file: String) throws {
        let session = try CaptureSession(files: [Fixtures.path(file)])
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        #expect(session.health.packets == 0)
        #expect(session.problems.isEmpty)
    }

    @Test func refusedFileNamesTheFileAndLibpcapsReason() throws {
        let path = Fixtures.path("capture/memcached-userdata.head.pcap")
        #expect {
            _ = try CaptureSession(files: [path])
        } throws: { error in
            guard case CaptureError.cannotOpenFile(let file, let reason) = error else { return false }
            return file == path && !reason.isEmpty && "\(error)".hasPrefix(path)
        }
    }

    @Test func missingFileIsAClearError() throws {
        #expect(throws: CaptureError.self) { _ = try CaptureSession(files: ["/nonexistent/x.pcap"]) }
    }

    /// Files cut part-way: what came before the cut is used, and the cut is reported with the file name.
    /// The packet counts are tcpdump 4.99's and capinfos' (`tcpdump -nr FILE | wc -l`, `capinfos -c`):
    /// both read every whole record before the cut.
    @Test(arguments: [
        ("capture/fuzz-2021-10-13.pcap", 1), ("capture/tcp_rst_data-trunc.pcap", 1),
        ("capture/tcp_header_heapoverflow.pcap", 1), ("capture/ip4-trunc.pcap", 1),
        ("capture/ip6-trunc.pcap", 1), ("capture/ipv4-truncated-broken-header.pcap", 1),
        ("capture/trunc-hdr.pcap", 1), ("capture/truncated-header.pcap", 24),
        ("capture/resp_3_malicious.pcap", 163),
    ])
    func damagedFilesAreCountedNotFatal(file: String, packets: Int) throws {
        let path = Fixtures.path(file)
        let session: CaptureSession
        do {
            session = try CaptureSession(files: [path])
        } catch let error as CaptureError {
            // Refused at the header: the message names the file.
            #expect("\(error)".contains(path))
            return
        }
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        for problem in session.problems { #expect("\(problem)".contains(path)) }
        let health = session.health
        #expect(health.packets == packets)
        #expect(
            health.malformed + health.truncated + session.problems.count + health.tcpSegments + health.udpDatagrams
                + health.nonIP + health.nonTCPUDP > 0)
    }

    /// A damaged gzip stream is reported as such, with the file name.
    @Test func damagedGzipIsReported() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("lab/redis-pipelined.pcap.gz")))
        bytes = bytes.prefix(bytes.count / 2)
        let path = directory.appendingPathComponent("cut.pcap.gz").path
        try bytes.write(to: URL(fileURLWithPath: path))
        let session = try CaptureSession(files: [path])
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        #expect(session.health.packets > 1000)
        #expect(session.problems.count == 1)
        #expect(session.problems.first.map { "\($0)".contains(path) } == true)
    }

    @Test func badFilterNamesTheFilter() throws {
        #expect {
            var options = CaptureOptions()
            options.filter = "tcp port banana"
            _ = try CaptureSession(files: [Fixtures.path("capture/soap.pcap")], options: options)
        } throws: { error in
            "\(error)".contains("tcp port banana")
        }
    }

    @Test func filterSelectsPackets() throws {
        var options = CaptureOptions()
        options.filter = "tcp dst port 16379"
        let session = try CaptureSession(files: [Fixtures.path("lab/redis-pipelined.pcap.gz")], options: options)
        let recorder = StreamRecorder()
        try session.run(into: recorder)
        #expect(recorder.streams.values.allSatisfy { $0.serverToClient.isEmpty })
        #expect(session.health.packets > 0)
    }
}
