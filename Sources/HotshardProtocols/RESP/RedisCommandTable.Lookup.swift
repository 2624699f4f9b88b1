/// Finds a command's specification and the keys a request names, exactly as the server's
/// `getKeysUsingKeySpecs` does (db.c), so that `COMMAND GETKEYS` and Hotshard agree.
enum RedisCommandTable {
    /// Specs keyed by the FNV-1a hash of the upper-case name, so that a lookup needs no String.
    private static let byHash: [UInt64: (name: String, spec: RedisCommandSpec)] = {
        var table: [UInt64: (name: String, spec: RedisCommandSpec)] = [:]
        for (name, spec) in specs {
            table[Key.fnv1a64(name.utf8)] = (name, spec)
        }
        return table
    }()

    /// Upper-case names of containers (`OBJECT`, `CLIENT`, …) whose subcommand decides the keys.
    private static let containers: Set<UInt64> = {
        var set = Set<UInt64>()
        for name in specs.keys where name.contains("|") {
            if let container = name.split(separator: "|").first { set.insert(Key.fnv1a64(container.utf8)) }
        }
        return set
    }()

    static func upperHash(_ bytes: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer? = nil) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            let upper = byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte
            hash = (hash ^ UInt64(upper)) &* 0x0000_0100_0000_01b3
        }
        if let suffix {
            hash = (hash ^ UInt64(UInt8(ascii: "|"))) &* 0x0000_0100_0000_01b3
            for byte in suffix {
                let upper = byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte
                hash = (hash ^ UInt64(upper)) &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    /// The command's name and spec, with the subcommand (`OBJECT|ENCODING`) when it has one.
    static func lookup(_ arguments: RESPArguments) -> (name: String, spec: RedisCommandSpec)? {
        guard arguments.count > 0 else { return nil }
        return arguments.withArgument(0) { command -> (String, RedisCommandSpec)? in
            let hash = upperHash(command)
            if containers.contains(hash), arguments.count > 1,
               let sub = arguments.withArgument(1, { byHash[upperHash(command, suffix: $0)] }) {
                return sub
            }
            return byHash[hash]
        }
    }

    /// Every key the request names, in the order the key specs give them.
    static func keys(of arguments: RESPArguments, spec: RedisCommandSpec, name: String) -> [KeyReference] {
        let count = arguments.count
        var keys: [KeyReference] = []
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
                      numberOfKeys <= count else { continue }
                first += firstKey
                last = first + (numberOfKeys - 1) * max(1, keyStep)
                step = max(1, keyStep)
            case .unknown:
                keys += unspecifiedKeys(of: arguments, name: name)
                continue
            }
            var index = first
            while index <= last, index < count, index >= 0 {
                keys.append(KeyReference(key: arguments.key(index)))
                index += step
            }
        }
        // MIGRATE … KEYS k1 k2: the key argument is then "" and not a key (migrateGetKeys).
        if name == "MIGRATE", keys.count > 1 { keys.removeFirst() }
        return keys
    }

    /// Commands whose key spec Redis marks incomplete use a command-specific function in the
    /// server; SORT's (sortGetKeys) is the one that names keys: the argument after STORE.
    private static func unspecifiedKeys(of arguments: RESPArguments, name: String) -> [KeyReference] {
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
