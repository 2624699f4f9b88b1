import Foundation
import HotshardConcurrency
import HotshardReport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--metrics-listen` endpoint: a minimal HTTP/1.1 server on a thread of its own that answers
/// `GET /metrics` with the latest published `MetricsSnapshot` in the Prometheus text format. The
/// measuring threads never wait for it: a command publishes a snapshot about once a second (the
/// rendering happens on the publishing thread, outside the lock), and a scrape only copies the
/// last rendered text. One connection at a time, each bounded by a 2 s socket timeout and an 8 KB
/// request head, so a slow or hostile client delays scrapes but cannot grow memory or stop the run.
final class MetricsServer: Sendable {
    private struct State {
        var body = ""
        var finalPublished = false
        var finalScraped = false
        var stopped = false
    }

    /// The address as bound (`127.0.0.1:9464`; the real port when 0 was asked for).
    let address: String
    private let listener: Int32
    private let state = Monitor(State())
    private let worker: WorkerThread

    /// Binds and listens on `host:port` (`host` numeric or a name; empty for every interface).
    init(host: String, port: UInt16) throws {
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host.isEmpty ? "0.0.0.0" : host):\(port)"
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? "0.0.0.0" : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw MetricsServerError.badAddress(shown, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { throw MetricsServerError.cannotListen(shown, reason: String(cString: strerror(errno))) }
        var yes: Int32 = 1
        // Restarting right after a run must not wait out TIME_WAIT; a live listener still refuses.
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(descriptor, 16) == 0 else {
            let code = errno
            close(descriptor)
            if code == EADDRINUSE { throw MetricsServerError.addressInUse(shown) }
            throw MetricsServerError.cannotListen(shown, reason: String(cString: strerror(code)))
        }
        listener = descriptor
        address = Self.boundAddress(descriptor) ?? shown
        let state = self.state
        worker = WorkerThread(name: "hotshard-metrics") { Self.serve(descriptor, state: state) }
    }

    /// Makes `snapshot` what the next scrapes see. Renders on the caller's thread.
    func publish(_ snapshot: MetricsSnapshot) {
        let text = MetricsExposition.render(snapshot)
        state.withLock { state in
            // Once the result's values are out, a late live snapshot must not replace them.
            guard snapshot.finished || !state.finalPublished else { return }
            state.body = text
            if snapshot.finished {
                state.finalPublished = true
                state.finalScraped = false
            }
        }
    }

    /// After the final snapshot: keeps serving until a scrape has read it or `seconds` have passed,
    /// so that a scraper's last sample is the result's (`--metrics-linger`).
    func linger(upTo seconds: Double) {
        guard seconds > 0 else { return }
        _ = state.wait(until: { $0.finalPublished && $0.finalScraped }, deadline: Date().addingTimeInterval(seconds))
    }

    /// Stops listening and waits for the serving thread to end.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        worker.join()
        close(listener)
    }

    private static func serve(_ listener: Int32, state: Monitor<State>) {
        while !state.withLock({ $0.stopped }) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            answer(connection, state: state)
            close(connection)
        }
    }

    /// Reads one request head (at most 8 KB, 2 s) and writes one response; the connection closes.
    private static func answer(_ connection: Int32, state: Monitor<State>) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2_048)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while head.count < 8_192 {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            head += chunk[0..<count]
            if Self.contains(head, end) { break }
        }
        let requestLine = head.split(separator: UInt8(ascii: "\r"), maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let parts = requestLine.split(separator: " ")
        let method = parts.first.map(String.init) ?? ""
        let path = parts.count > 1 ? String(parts[1].split(separator: "?", maxSplits: 1).first ?? "") : ""
        let response: String
        if method != "GET" && method != "HEAD" {
            response = Self.response("405 Method Not Allowed", "text/plain; charset=utf-8", "GET /metrics\n", head: false)
        } else if path == "/metrics" {
            let text = state.update { state in
                if state.finalPublished { state.finalScraped = true }
                return state.body
            }
            response = Self.response("200 OK", MetricsExposition.contentType, text, head: method == "HEAD")
        } else if path == "/" {
            response = Self.response("200 OK", "text/plain; charset=utf-8", "hotshard: metrics at /metrics\n", head: method == "HEAD")
        } else {
            response = Self.response("404 Not Found", "text/plain; charset=utf-8", "not found; metrics at /metrics\n", head: method == "HEAD")
        }
        var bytes = Array(response.utf8)[...]
        while !bytes.isEmpty {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let sent = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, flags) }
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    private static func response(_ status: String, _ type: String, _ body: String, head: Bool) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            + (head ? "" : body)
    }

    /// `host:port` of the bound socket (numeric).
    private static func boundAddress(_ descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard got == 0 else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard named == 0 else { return nil }
        let hostText = String(cString: host)
        let port = String(cString: service)
        return hostText.contains(":") ? "[\(hostText)]:\(port)" : "\(hostText):\(port)"
    }
}
