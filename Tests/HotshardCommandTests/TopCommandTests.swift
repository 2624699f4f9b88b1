import Foundation
import Testing
import HotshardTestSupport

/// `hotshard top` in a real terminal (tmux), capturing `lo` while a client sends known requests
/// to a real redis-server: the screen shows the keys with their counts, a keystroke re-ranks,
/// `q` quits and writes the result. Needs root (live capture), tmux and redis-server.
@Suite struct TopCommandTests {
    static let tmux = ExternalTool.find("tmux") ?? "tmux"
    static let canRun = getuid() == 0 && ExternalTool.find("tmux") != nil && RealServer.isAvailable(.redis)

    struct Result: Decodable {
        struct Entry: Decodable { let key: String?; let count: Int }
        let hotKeys: [Entry]
    }

    /// The built `hotshard` (this target depends on it, so it is built with the tests).
    static var binary: String { BuiltProduct.hotshard ?? "hotshard (not built)" }

    static func pane(_ session: String) throws -> String {
        try ExternalTool.run(Self.tmux, ["capture-pane", "-p", "-t", session]).stdout
    }

    /// Starts `command` in a new detached tmux session of 160×40. Through system(3), not Process:
    /// the tmux server this may start keeps its client's descriptors (ExternalTool would wait for
    /// its pipes to close), and Foundation's Process never reaped the tmux client here. Signals
    /// unblocked: tmux lives on SIGCHLD.
    static func startInTmux(_ session: String, _ command: String) {
        var empty = sigset_t()
        var saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        _ = system("\(Self.tmux) new-session -d -s \(session) -x 160 -y 40 '\(command)' </dev/null >/dev/null 2>&1")
        pthread_sigmask(SIG_SETMASK, &saved, nil)
    }

    /// Polls the screen until `condition` holds (or 10 s pass); returns the last screen.
    static func waitForScreen(_ session: String, _ condition: (String) -> Bool) throws -> String {
        var screen = ""
        for _ in 0..<100 {
            screen = try pane(session)
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return screen
    }

    /// The screen's key rows, rank order: (key, total).
    static func rows(_ screen: String) -> [(key: String, total: Int)] {
        screen.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 7, Int(fields[0]) != nil, let total = Int(fields[3]) else { return nil }
            return (String(fields[1]), total)
        }
    }

    @Test(.enabled(if: canRun, "needs root for live capture, tmux and redis-server: skipped"))
    func showsKeysRanksByKeystrokeAndWritesTheResultOnQuit() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "\(Self.binary) not built")
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-top")
        let json = directory.appendingPathComponent("top.json").path
        let session = "hotshard-top-\(getpid())"
        let command =
            "\(Self.binary) top -i lo --port resp=\(server.port) --filter \"tcp port \(server.port)\" "
            + "--interval 0.5 --duration 60 --json \(json)"
        Self.startInTmux(session, command)
        defer { _ = try? ExternalTool.run(Self.tmux, ["kill-session", "-t", session]) }
        let started = try Self.waitForScreen(session) { $0.contains("ranked by requests") }
        #expect(started.contains("hotshard top"))

        let client = try RedisConnection(port: server.port)
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        let commands: [[[UInt8]]] =
            [[Array("SET".utf8), Array("big".utf8), big]]
            + Array(repeating: [Array("GET".utf8), Array("hot".utf8)], count: 50)
            + Array(repeating: [Array("GET".utf8), Array("warm".utf8)], count: 10)
        _ = try client.pipeline(commands)

        let byRequests = try Self.waitForScreen(session) { Self.rows($0).first.map { $0 == ("hot", 50) } ?? false }
        let rows = Self.rows(byRequests)
        #expect(rows.map(\.key) == ["hot", "warm", "big"])
        #expect(rows.map(\.total) == [50, 10, 1])

        _ = try ExternalTool.run(Self.tmux, ["send-keys", "-t", session, "b"])
        let byBytes = try Self.waitForScreen(session) { $0.contains("ranked by bytes") }
        #expect(Self.rows(byBytes).first?.key == "big")

        _ = try ExternalTool.run(Self.tmux, ["send-keys", "-t", session, "q"])
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: json) { Thread.sleep(forTimeInterval: 0.1) }
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        let counts = Dictionary(uniqueKeysWithValues: result.hotKeys.compactMap { entry in entry.key.map { ($0, entry.count) } })
        #expect(counts == ["hot": 50, "warm": 10, "big": 1])
        // And the HTML report beside it, as analyze writes one.
        let html = directory.appendingPathComponent("top.html").path
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: html) { Thread.sleep(forTimeInterval: 0.1) }
        #expect((try? String(contentsOfFile: html, encoding: .utf8))?.contains("<table id=\"hot-keys\"") == true)
    }
}
