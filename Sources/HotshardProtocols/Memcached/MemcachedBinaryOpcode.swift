/// memcached binary protocol opcodes (protocol_binary.h): name, class, whether quiet, whether keyed.
enum MemcachedBinaryOpcode {
    struct Info {
        let name: String
        let operation: OperationClass
        let quiet: Bool
    }

    static func info(_ opcode: UInt8) -> Info {
        switch opcode {
        case 0x00: Info(name: "GET", operation: .read, quiet: false)
        case 0x01: Info(name: "SET", operation: .write, quiet: false)
        case 0x02: Info(name: "ADD", operation: .write, quiet: false)
        case 0x03: Info(name: "REPLACE", operation: .write, quiet: false)
        case 0x04: Info(name: "DELETE", operation: .write, quiet: false)
        case 0x05: Info(name: "INCREMENT", operation: .write, quiet: false)
        case 0x06: Info(name: "DECREMENT", operation: .write, quiet: false)
        case 0x07: Info(name: "QUIT", operation: .other, quiet: false)
        case 0x08: Info(name: "FLUSH", operation: .other, quiet: false)
        case 0x09: Info(name: "GETQ", operation: .read, quiet: true)
        case 0x0a: Info(name: "NOOP", operation: .other, quiet: false)
        case 0x0b: Info(name: "VERSION", operation: .other, quiet: false)
        case 0x0c: Info(name: "GETK", operation: .read, quiet: false)
        case 0x0d: Info(name: "GETKQ", operation: .read, quiet: true)
        case 0x0e: Info(name: "APPEND", operation: .write, quiet: false)
        case 0x0f: Info(name: "PREPEND", operation: .write, quiet: false)
        case 0x10: Info(name: "STAT", operation: .other, quiet: false)
        case 0x11: Info(name: "SETQ", operation: .write, quiet: true)
        case 0x12: Info(name: "ADDQ", operation: .write, quiet: true)
        case 0x13: Info(name: "REPLACEQ", operation: .write, quiet: true)
        case 0x14: Info(name: "DELETEQ", operation: .write, quiet: true)
        case 0x15: Info(name: "INCREMENTQ", operation: .write, quiet: true)
        case 0x16: Info(name: "DECREMENTQ", operation: .write, quiet: true)
        case 0x17: Info(name: "QUITQ", operation: .other, quiet: true)
        case 0x18: Info(name: "FLUSHQ", operation: .other, quiet: true)
        case 0x19: Info(name: "APPENDQ", operation: .write, quiet: true)
        case 0x1a: Info(name: "PREPENDQ", operation: .write, quiet: true)
        case 0x1c: Info(name: "TOUCH", operation: .write, quiet: false)
        case 0x1d: Info(name: "GAT", operation: .read, quiet: false)
        case 0x1e: Info(name: "GATQ", operation: .read, quiet: true)
        case 0x23: Info(name: "GATK", operation: .read, quiet: false)
        case 0x24: Info(name: "GATKQ", operation: .read, quiet: true)
        default: Info(name: "OPCODE_\(String(opcode, radix: 16))", operation: .other, quiet: false)
        }
    }

    /// Response status → reply status: "key not found" is a miss for reads.
    static func status(_ code: UInt16, operation: OperationClass) -> ReplyStatus {
        switch code {
        case 0x0000: .ok
        case 0x0001: .miss  // key not found, for reads and writes alike (as text NOT_FOUND)
        case 0x0002: .error(kind: "EXISTS")
        case 0x0003: .error(kind: "E2BIG")
        case 0x0004: .error(kind: "EINVAL")
        case 0x0005: .error(kind: "NOT_STORED")
        case 0x0006: .error(kind: "DELTA_BADVAL")
        case 0x0081: .error(kind: "UNKNOWN_COMMAND")
        case 0x0082: .error(kind: "ENOMEM")
        default: .error(kind: ErrorKind("STATUS_" + String(code, radix: 16)))
        }
    }
}
