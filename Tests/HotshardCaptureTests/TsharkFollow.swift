import Foundation
import Testing
import HotshardTestSupport

/// What tshark reassembles for each TCP stream (`-z follow,tcp,raw,N`): the independent answer.
struct TsharkStream {
    var node0Port: UInt16
    var node1Port: UInt16
    var fromNode0: [UInt8]
    var fromNode1: [UInt8]
    /// Bytes tshark reported missing ("[N bytes missing in capture file]." markers, removed from the data).
    var missingBytes = 0
}

enum TsharkFollow {
    static func streams(_ path: String) throws -> [TsharkStream] {
        let tshark = try #require(ExternalTool.find("tshark"))
        let ids = try ExternalTool.run(tshark, ["-r", path, "-T", "fields", "-e", "tcp.stream"]).stdout
        let streamIDs = Set(ids.split(separator: "\n").compactMap { Int($0) }).sorted()
        var arguments = ["-r", path, "-q"]
        for id in streamIDs { arguments += ["-z", "follow,tcp,raw,\(id)"] }
        let output = try ExternalTool.run(tshark, arguments).stdout
        var result: [TsharkStream] = []
        var current: TsharkStream?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Node 0: ") {
                current = TsharkStream(node0Port: port(line), node1Port: 0, fromNode0: [], fromNode1: [])
            } else if line.hasPrefix("Node 1: ") {
                current?.node1Port = port(line)
            } else if line.hasPrefix("====") {
                if var stream = current {
                    stream.missingBytes += removeMissingMarkers(&stream.fromNode0)
                    stream.missingBytes += removeMissingMarkers(&stream.fromNode1)
                    result.append(stream)
                }
                current = nil
            } else if current != nil, !line.isEmpty {
                if line.hasPrefix("\t") {
                    current?.fromNode1 += hex(line.dropFirst())
                } else {
                    current?.fromNode0 += hex(line)
                }
            }
        }
        return result
    }

    /// Wireshark's follow inserts "[N bytes missing in capture file]" where data is missing.
    private static func removeMissingMarkers(_ bytes: inout [UInt8]) -> Int {
        let suffix = Array(" bytes missing in capture file]".utf8)
        var missing = 0
        var index = 0
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "[") {
                var cursor = index + 1
                var number = 0
                while cursor < bytes.count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 {
                    number = number * 10 + Int(bytes[cursor] - 0x30)
                    cursor += 1
                }
                if cursor > index + 1, cursor + suffix.count <= bytes.count,
                    Array(bytes[cursor..<(cursor + suffix.count)]) == suffix
                {
                    missing += number
                    index = cursor + suffix.count
                    // tshark ends the marker with a NUL (raw mode) or a period (text mode).
                    if index < bytes.count, bytes[index] == 0 || bytes[index] == UInt8(ascii: ".") { index += 1 }
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        bytes = out
        return missing
    }

    private static func port(_ line: Substring) -> UInt16 {
        UInt16(line.split(separator: ":").last ?? "") ?? 0
    }

    private static func hex(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = nibble(high), let l = nibble(low) else { break }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
