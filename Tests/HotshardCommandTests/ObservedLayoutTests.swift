import Foundation
import Testing
import HotshardTestSupport

/// Today's layout from the capture itself: traffic to four real memcached, placed by a ketama
/// client (uhashring, libmemcached-compatible), captured on `lo` by tcpdump and analysed. Each
/// server's count in the result equals the server's own `stats`, and the hot keys are checked
/// against ketama over the servers seen.
@Suite(
    .serialized,
    .enabled(
        if: getuid() == 0 && ExternalTool.find("tcpdump") != nil && RealServer.isAvailable(.memcached)
            && KetamaReference.available,
        "needs root, tcpdump, memcached and python3 with uhashring (make setup)"))
struct ObservedLayoutTests {
    struct Result: Decodable {
        struct Server: Decodable { let server: String; let requests: Int }
        struct Model: Decodable {
            struct Layout: Decodable {
                struct Misplaced: Decodable { let key: String?; let observed: String; let predicted: String }
                let checkedScheme: String?
                let misplaced: [Misplaced]
                let checkedKeys: Int
            }
            let currentNodes: Int?
            let observedLayout: Layout?
        }
        let servers: [Server]?
        let model: Model?
    }

    /// 60 keys, 5 gets each, to the server ketama over `clientNames` names; a client name maps to
    /// the connection of the server at the same position in `servers`.
    func run(clientNames: [String], servers: [RealServer], directory: String, name: String) throws -> (Result, [String: String]) {
        let keys = (0..<60).map { "layout:\($0)" }
        let placement = try KetamaReference.place(keys, servers: clientNames)
        let capture = "\(directory)/\(name).pcap"
        let filter = servers.map { "tcp port \($0.port)" }.joined(separator: " or ")
        let tcpdump = Process()
        tcpdump.executableURL = URL(fileURLWithPath: try #require(ExternalTool.find("tcpdump")))
        // Immediate mode (so the last packets are written before the stop) gives each packet a
        // 64 KB frame on lo: a 128 MB ring (-B, in KiB) holds the ~1,300 packets of a run even while
        // other tests keep the machine busy; tcpdump's 2 MB default dropped hundreds.
        tcpdump.arguments = ["-i", "lo", "-U", "--immediate-mode", "-B", "131072", "-w", capture, filter]
        let errors = Pipe()
        tcpdump.standardError = errors
        tcpdump.standardOutput = FileHandle.nullDevice
        try tcpdump.runWithUnblockedSignals()
        // tcpdump says "listening on lo" once its filter is in place.
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("listening on") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said.append(chunk)
        }
        // The filter is attached when tcpdump says so; a moment more for its ring to be mapped.
        usleep(500_000)
        let sockets = try servers.map { try LoopbackSocket(port: $0.port) }
        for _ in 0..<5 {
            for key in keys {
                guard let index = clientNames.firstIndex(of: placement[key] ?? "") else { continue }
                try sockets[index].send("get \(key)\r\n")
                _ = try sockets[index].receive(endingWith: "END\r\n")
            }
        }
        usleep(1_000_000)
        tcpdump.interrupt()
        tcpdump.waitUntilExit()
        said.append(errors.fileHandleForReading.readDataToEndOfFile())
        let summary = String(decoding: said, as: UTF8.self)
        // The comparison below needs every packet: a loaded machine can make tcpdump itself drop some.
        #expect(summary.contains("\n0 packets dropped by kernel"), "tcpdump: \(summary)")
        let ports = servers.flatMap { ["--port", "memcached=\($0.port)"] }
        let output = try ExternalTool.run(
            TopCommandTests.binary,
            ["analyze", capture] + ports + [
                "--current-scheme", "ketama", "--html", "\(directory)/\(name).html", "--quiet", "--json", "\(directory)/\(name).json",
            ])
        #expect(output.status == 0, "analyze: \(output.stderr)")
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json")))
        return (result, placement)
    }

    @Test func perServerCountsEqualEachServersStatsAndTheLayoutIsKetamas() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-layout").path
        let servers = try (0..<4).map { _ in try RealServer(.memcached) }
        let names = servers.map { "127.0.0.1:\($0.port)" }
        let (result, _) = try run(clientNames: names, servers: servers, directory: directory, name: "ketama")
        let counts = Dictionary(uniqueKeysWithValues: (result.servers ?? []).map { ($0.server, $0.requests) })
        for (server, name) in zip(servers, names) {
            let own = try Self.getCount(server)
            #expect(counts[name] == own, "\(name)")
        }
        let layout = try #require(result.model?.observedLayout)
        #expect(result.model?.currentNodes == 4)
        #expect(layout.checkedScheme == "ketama" && layout.checkedKeys == 60)
        #expect(layout.misplaced.isEmpty, "\(layout.misplaced.map { "\($0.key ?? "?") on \($0.observed), ketama: \($0.predicted)" })")
    }

    /// The client names a fourth server that is not the one it connects to: the keys ketama gives
    /// that name went to the fourth server, so every key whose server differs between the client's
    /// ring and the ring of the servers seen is reported, and no other.
    @Test func aSwappedServerInTheClientsListIsReported() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-layout-swap").path
        let servers = try (0..<4).map { _ in try RealServer(.memcached) }
        let seen = servers.map { "127.0.0.1:\($0.port)" }
        var client = seen
        client[3] = "127.0.0.1:\(try RealServer.freePort())"
        let (result, placement) = try run(clientNames: client, servers: servers, directory: directory, name: "swapped")
        let truth = try KetamaReference.place(Array(placement.keys), servers: seen)
        let moved = Set(
            placement.keys.filter { key in
                let sent = seen[client.firstIndex(of: placement[key] ?? "") ?? 0]
                return sent != truth[key]
            })
        let layout = try #require(result.model?.observedLayout)
        #expect(!moved.isEmpty)
        #expect(Set(layout.misplaced.compactMap(\.key)) == moved)
        // The report shows the servers seen and the keys off their scheme's server.
        let html = try String(contentsOfFile: "\(directory)/swapped.html", encoding: .utf8)
        #expect(html.contains("id=\"servers-table\"") && html.contains("id=\"misplaced-table\""))
        #expect(html.contains("\(layout.misplaced.count) of 60 hot keys are not where ketama puts them"))
    }

    /// The server's own count of get commands (`stats`: cmd_get).
    static func getCount(_ server: RealServer) throws -> Int? {
        let socket = try LoopbackSocket(port: server.port)
        try socket.send("stats\r\n")
        let text = String(decoding: try socket.receive(endingWith: "END\r\n"), as: UTF8.self)
        for line in text.split(separator: "\r\n") where line.hasPrefix("STAT cmd_get ") {
            return Int(line.dropFirst("STAT cmd_get ".count))
        }
        return nil
    }
}

/// Ketama placements from uhashring (scripts/model-ketama-reference.py), libmemcached's naming:
/// a server on port 11211 is named by its host alone, any other by host:port.
enum KetamaReference {
    static let available: Bool = {
        guard let python = ExternalTool.find("python3"),
            let out = try? ExternalTool.run(python, ["-c", "import uhashring"])
        else { return false }
        return out.status == 0
    }()

    static func place(_ keys: [String], servers: [String]) throws -> [String: String] {
        let python = try #require(ExternalTool.find("python3"))
        let input = servers.map { "\($0):1" }.joined(separator: " ") + "\n" + keys.joined(separator: "\n") + "\n"
        let output = try ExternalTool.run(python, [Fixtures.path("../../scripts/test/model-ketama-reference.py")], stdin: Data(input.utf8))
        let answers = output.stdout.split(separator: "\n").map(String.init)
        try #require(answers.count == keys.count, "reference: \(output.stderr)")
        return Dictionary(uniqueKeysWithValues: zip(keys, answers))
    }
}
