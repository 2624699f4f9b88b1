import HotshardModel
import NIOCore
import NIOPosix

/// Reads a Redis Cluster's slot map from one of its nodes: sends `CLUSTER SHARDS` (RESP2) and
/// hands the reply, one scalar a line as `redis-cli` prints it piped, to the same parser
/// `hotshard plan --cluster-shards` uses (`RedisClusterShards`). Bounded: 3 s to connect and
/// answer, 16 MiB of reply.
public enum RedisClusterSlotMap {
    static let request = Array("*2\r\n$7\r\nCLUSTER\r\n$6\r\nSHARDS\r\n".utf8)
    static let maxReplyBytes = 16 << 20

    public static func read(from seed: LoadTarget) async throws -> RedisClusterScheme {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let text: String
        do {
            let address = try SocketAddress(ipAddress: seed.host, port: seed.port)
            let promise = group.next().makePromise(of: [String].self)
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(3))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SlotMapReplyHandler(promise: promise))
                    }
                }
                .connect(to: address).get()
            channel.writeAndFlush(ByteBuffer(bytes: request), promise: nil)
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(3)) {
                promise.fail(PoolError.clusterUnreadable(seed.description, "no complete reply within 3 s"))
            }
            defer { timeout.cancel() }
            let lines = try await promise.futureResult.get()
            try? await channel.close()
            text = lines.joined(separator: "\n") + "\n"
        } catch let error as PoolError {
            throw error
        } catch {
            throw PoolError.clusterUnreadable(seed.description, String(describing: error))
        }
        do {
            return try RedisClusterShards.parse(text)
        } catch {
            throw PoolError.clusterUnreadable(seed.description, String(describing: error))
        }
    }

    /// A whole RESP2 value at `index` flattened to lines (an empty array as an empty line, as
    /// redis-cli prints it); nil when the bytes end first. Throws on an error reply or a bad type.
    static func flatten(_ bytes: [UInt8], at index: inout Int, into lines: inout [String], depth: Int = 0) throws -> Bool {
        guard depth < 16 else { throw RESPShape.tooDeep }
        guard index < bytes.count else { return false }
        let type = bytes[index]
        guard let end = lineEnd(bytes, from: index + 1) else { return false }
        let header = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        var next = end + 2
        switch type {
        case UInt8(ascii: "*"):
            guard let count = Int(header), count >= -1, count <= 1_000_000 else { throw RESPShape.bad(header) }
            if count <= 0 {
                lines.append("")
            } else {
                for _ in 0..<count {
                    guard try flatten(bytes, at: &next, into: &lines, depth: depth + 1) else { return false }
                }
            }
        case UInt8(ascii: "$"):
            guard let length = Int(header), length >= -1, length <= maxReplyBytes else { throw RESPShape.bad(header) }
            if length < 0 {
                lines.append("")
            } else {
                guard next + length + 2 <= bytes.count else { return false }
                lines.append(String(decoding: bytes[next..<(next + length)], as: UTF8.self))
                next += length + 2
            }
        case UInt8(ascii: ":"), UInt8(ascii: "+"):
            lines.append(header)
        case UInt8(ascii: "-"):
            throw RESPShape.errorReply(header)
        default:
            throw RESPShape.bad(String(UnicodeScalar(type)))
        }
        index = next
        return true
    }

    private static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var position = start
        while position + 1 < bytes.count {
            if bytes[position] == 13, bytes[position + 1] == 10 { return position }
            position += 1
        }
        return nil
    }

    enum RESPShape: Error, CustomStringConvertible {
        case tooDeep, bad(String), errorReply(String)
        var description: String {
            switch self {
            case .tooDeep: "reply nested too deeply"
            case .bad(let text): "unexpected reply '\(text.prefix(40))'"
            case .errorReply(let text): "the node answered: \(text)"
            }
        }
    }
}
