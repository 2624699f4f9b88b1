import HotshardBytes

/// One command of the table, found once per request. A class, so that a lookup hands out one
/// reference rather than a copy of the name and key specs.
final class RedisCommandEntry: Sendable {
    /// What the parser must do beyond pairing the reply.
    enum Role: Sendable { case plain, multi, exec, discard, subscribe, clientReply }

    let name: String
    /// The name's bytes, for the exact check that a hash hit is this command.
    let nameBytes: [UInt8]
    let spec: RedisCommandSpec
    let role: Role
    let hash: UInt64

    /// A container (`OBJECT`, `CLIENT`, …) whose subcommand decides the keys.
    let isContainer: Bool

    /// How the keys are found, worked out once from the key specs.
    enum KeyPlan: Sendable {
        case none
        /// One spec: keys from `first` to `lastKey` (counted from the end when negative) every
        /// `step` arguments: GET, SET, MGET, MSET, DEL, … — nearly all traffic.
        case range(first: Int, lastKey: Int, step: Int)
        /// Keywords, key counts, several specs or a command-specific function.
        case general
    }

    let keyPlan: KeyPlan

    /// A plain command whose one key is its first argument (GET, SET, INCR, EXPIRE, …): what the
    /// parser reads without building an argument list.
    let hasOneKeyFirst: Bool

    /// True when `command` (with `|suffix`) is this entry's name, letters in any case.
    func isNamed(_ command: ByteView, suffix: ByteView? = nil) -> Bool {
        let suffixLength = suffix.map { $0.count + 1 } ?? 0
        guard nameBytes.count == command.count + suffixLength else { return false }
        for index in 0..<command.count where asciiUppercased(command[index]) != nameBytes[index] { return false }
        guard let suffix else { return true }
        guard nameBytes[command.count] == UInt8(ascii: "|") else { return false }
        for index in 0..<suffix.count where asciiUppercased(suffix[index]) != nameBytes[command.count + 1 + index] {
            return false
        }
        return true
    }

    init(name: String, spec: RedisCommandSpec, hash: UInt64, isContainer: Bool) {
        self.name = name
        nameBytes = Array(name.utf8)
        self.isContainer = isContainer
        self.spec = spec
        self.hash = hash
        if spec.keySpecs.isEmpty {
            keyPlan = .none
        } else if spec.keySpecs.count == 1, case .index(let first) = spec.keySpecs[0].begin,
            case .range(let lastKey, let step, let limit) = spec.keySpecs[0].find, limit == 0
        {
            keyPlan = .range(first: first, lastKey: lastKey, step: max(1, step))
        } else {
            keyPlan = .general
        }
        switch name {
        case "MULTI": role = .multi
        case "EXEC": role = .exec
        case "DISCARD": role = .discard
        case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE": role = .subscribe
        case "CLIENT|REPLY": role = .clientReply
        default: role = .plain
        }
        if case .range(1, 0, _) = keyPlan, role == .plain, !isContainer {
            hasOneKeyFirst = true
        } else {
            hasOneKeyFirst = false
        }
    }
}

/// Finds a command's specification and the keys a request names, exactly as the server's
/// `getKeysUsingKeySpecs` does (db.c), so that `COMMAND GETKEYS` and Hotshard agree.
enum RedisCommandTable {
    /// Entries by the FNV-1a hash of the upper-case name in an open-addressed table (linear
    /// probing), so that a lookup needs neither a String nor a hasher.
    private static let slots: [RedisCommandEntry?] = {
        var slots = [RedisCommandEntry?](repeating: nil, count: slotCount)
        let containers = Set(specs.keys.compactMap { name in name.firstIndex(of: "|").map { name[..<$0] } })
        for (name, spec) in specs {
            let hash = Key.fnv1a64(name.utf8)
            var index = Int(truncatingIfNeeded: hash) & (slotCount - 1)
            while slots[index] != nil { index = (index + 1) & (slotCount - 1) }
            slots[index] = RedisCommandEntry(
                name: name, spec: spec, hash: hash,
                isContainer: containers.contains(Substring(name)))
        }
        return slots
    }()
    private static let slotCount = 2048

    @inline(__always)
    private static func entry(hash: UInt64) -> RedisCommandEntry? {
        var index = Int(truncatingIfNeeded: hash) & (slotCount - 1)
        while let entry = slots[index] {
            if entry.hash == hash { return entry }
            index = (index + 1) & (slotCount - 1)
        }
        return nil
    }

    static func upperHash(_ bytes: ByteView, suffix: ByteView? = nil) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(asciiUppercased(byte))) &* 0x0000_0100_0000_01b3
        }
        if let suffix {
            hash = (hash ^ UInt64(UInt8(ascii: "|"))) &* 0x0000_0100_0000_01b3
            for byte in suffix {
                hash = (hash ^ UInt64(asciiUppercased(byte))) &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    /// The command's entry, the subcommand's (`OBJECT|ENCODING`) when it has one. A hash hit is
    /// checked against the name, so that a command crafted to collide with a known name's FNV-1a
    /// hash is not taken for it.
    static func lookup(_ arguments: RESPArguments) -> RedisCommandEntry? {
        guard arguments.count > 0 else { return nil }
        return arguments.withArgument(0) { command -> RedisCommandEntry? in
            guard let found = entry(hash: upperHash(command)), found.isNamed(command) else { return nil }
            if found.isContainer, arguments.count > 1,
                let sub = arguments.withArgument(
                    1,
                    { subcommand -> RedisCommandEntry? in
                        guard let sub = entry(hash: upperHash(command, suffix: subcommand)),
                            sub.isNamed(command, suffix: subcommand)
                        else { return nil }
                        return sub
                    })
            {
                return sub
            }
            return found
        }
    }

    /// Every key the request names, in the order the key specs give them.
    static func keys(of arguments: RESPArguments, entry: RedisCommandEntry) -> KeyList {
        var keys = KeyList()
        replaceKeys(&keys, of: arguments, entry: entry)
        return keys
    }

    /// Puts the request's keys in `keys` in place of what it held.
    @inline(__always)
    static func replaceKeys(_ keys: inout KeyList, of arguments: RESPArguments, entry: RedisCommandEntry) {
        if case .range(1, 0, _) = entry.keyPlan, arguments.count > 1 {
            arguments.withKeyBytes(1) { keys.replaceAll(withKey: $0) }  // GET, SET, INCR, …: most traffic
            return
        }
        keys.removeAll()
        switch entry.keyPlan {
        case .none:
            break
        case .range(let first, let lastKey, let step):
            appendKeys(
                of: arguments, from: first, through: lastKey >= 0 ? first + lastKey : arguments.count + lastKey,
                step: step, to: &keys)
        case .general:
            keys = Self.keys(of: arguments, spec: entry.spec, name: entry.name)
        }
    }

    private static func keys(of arguments: RESPArguments, spec: RedisCommandSpec, name: String) -> KeyList {
        let count = arguments.count
        var keys = KeyList()
        var askedCommandSpecific = false
        for keySpec in spec.keySpecs {
            var first: Int
            switch keySpec.begin {
            case .index(let position):
                first = position
            case .keyword(let keyword, let startFrom):
                var found: Int?
                let keywordBytes = Array(keyword.utf8)
                if startFrom >= 0 {
                    var index = startFrom
                    while index < count {
                        if arguments.equalsIgnoringCase(index, keywordBytes) { found = index; break }
                        index += 1
                    }
                } else {
                    var index = count + startFrom
                    while index >= 1 {
                        if arguments.equalsIgnoringCase(index, keywordBytes) { found = index; break }
                        index -= 1
                    }
                }
                guard let found else { continue }
                first = found + 1
            case .unknown:
                // One function names all of a command's unspecified keys (SORT has two such specs).
                if !askedCommandSpecific { keys += unspecifiedKeys(of: arguments, name: name) }
                askedCommandSpecific = true
                continue
            }
            var last: Int
            var step: Int
            switch keySpec.find {
            case .range(let lastKey, let keyStep, let limit):
                if lastKey >= 0 {
                    last = first + lastKey
                } else if limit == 0 {
                    last = count + lastKey
                } else {
                    last = first + ((count - first) / limit + lastKey)
                }
                step = max(1, keyStep)
            case .keyNum(let keyNumIndex, let firstKey, let keyStep):
                guard first + keyNumIndex < count,
                    let numberOfKeys = arguments.integer(first + keyNumIndex), numberOfKeys >= 0,
                    numberOfKeys <= count
                else { continue }
                first += firstKey
                last = first + (numberOfKeys - 1) * max(1, keyStep)
                step = max(1, keyStep)
            case .unknown:
                keys += unspecifiedKeys(of: arguments, name: name)
                continue
            }
            appendKeys(of: arguments, from: first, through: last, step: step, to: &keys)
        }
        // MIGRATE … KEYS k1 k2: the key argument is then "" and not a key (migrateGetKeys).
        if name == "MIGRATE", keys.count > 1 { keys.removeFirst() }
        return keys
    }

    /// The arguments `first`, `first + step`, … up to `last` that the request has, as keys.
    @inline(__always)
    private static func appendKeys(
        of arguments: RESPArguments, from first: Int, through last: Int, step: Int,
        to keys: inout KeyList
    ) {
        if last > first, first >= 0 { keys.reserveCapacity(keys.count + (min(last, arguments.count - 1) - first) / step + 1) }
        var index = first
        while index >= 0, index <= last, index < arguments.count {
            keys.append(KeyReference(key: arguments.key(index)))
            index += step
        }
    }

    /// Commands whose key spec Redis marks incomplete use a command-specific function in the
    /// server; SORT's (sortGetKeys) is the one that names keys: the argument after STORE.
    private static func unspecifiedKeys(of arguments: RESPArguments, name: String) -> KeyList {
        guard name == "SORT" || name == "SORT_RO" else { return [] }
        let store = Array("STORE".utf8)
        var index = 2
        while index + 1 < arguments.count {
            if arguments.equalsIgnoringCase(index, store) { return [KeyReference(key: arguments.key(index + 1))] }
            index += 1
        }
        return []
    }
}
