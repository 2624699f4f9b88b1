import HotshardAnalysis
import HotshardBytes
import HotshardProtocols

/// Every key a profile's generator can send, numbered for the analyzer (`KeyIndexSpace`): item `n`
/// of the key space is `n`, then come the weighted distribution's explicit keys and the phases'
/// flash keys that are not items (each once, in that order). The generator stamps these numbers on the keys it makes;
/// the analyzer names a number back with the same key the parser names the request by.
enum LoadKeySpace {
    /// nil when the space holds more keys than the analysis may track (`capacity`, which `load`
    /// raises to cover the profile's keys up to a limit) or than `KeyIndexSpace.limit`: its keys are
    /// then counted by Space-Saving, as in `analyze`. A result holds every counted key (~0.3 KB
    /// each at its peak), so counting more keys than the capacity would unbound the memory.
    static func make(_ profile: LoadProfile, capacity: Int) -> KeyIndexSpace? {
        let layout = Layout(profile)
        guard layout.numbered, layout.total <= capacity else { return nil }
        let keyFormat = profile.keyFormat
        let others = layout.otherKeys
        let items = layout.items
        let named: @Sendable (Int) -> Key = { number in
            number < items ? keyFormat.key(UInt64(number)) : others[number - items]
        }
        guard profile.wireProtocol == .http else { return KeyIndexSpace(count: layout.total, name: named) }
        // HTTP requests are named by their target (the path the key is put in).
        let encoder = RequestEncoder(profile: profile)
        return KeyIndexSpace(count: layout.total) { number in
            var keys = KeyList()
            keys.append(KeyReference(key: named(number)))
            var bytes: [UInt8] = []
            encoder.encode(LoadRequest(kind: .httpGet, keys: keys, valueSize: 0), into: &bytes)
            return bytes.withByteView { RequestEncoder.httpTarget(of: $0) }
        }
    }

    /// The numbers: items first, then the explicit and flash keys that are not items (each once).
    struct Layout: Sendable {
        let items: Int
        /// The explicit and flash keys outside the item space, numbered from `items` on.
        let otherKeys: [Key]
        /// Per weighted entry: its key's number.
        let explicitNumbers: [Int32]
        /// Per phase: the number of its flash key (-1: none).
        let flashNumbers: [Int32]

        init(_ profile: LoadProfile) {
            let items = Int(clamping: profile.keyCount)
            self.items = items
            var otherKeys: [Key] = []
            // A key named twice (an explicit key that is also item 1, the flash sale's item 42) has
            // one number: two would count it in two places and report it twice.
            func number(of key: Key) -> Int32 {
                if let item = Self.item(of: key, format: profile.keyFormat, items: items) { return Int32(clamping: item) }
                if let known = otherKeys.firstIndex(of: key) { return Int32(clamping: items + known) }
                otherKeys.append(key)
                return Int32(clamping: items + otherKeys.count - 1)
            }
            if case .weighted(let entries, _) = profile.distribution {
                explicitNumbers = entries.map { number(of: $0.key) }
            } else {
                explicitNumbers = []
            }
            flashNumbers = profile.phases.map { phase in phase.flashKey.map(number(of:)) ?? -1 }
            self.otherKeys = otherKeys
        }

        var total: Int { items + otherKeys.count }
        /// True when the generator stamps numbers (the analyzer then counts by them).
        var numbered: Bool { total <= KeyIndexSpace.limit }

        /// The item `format` renders as `key`, if one below `items` does: the digits between the
        /// format's prefix and suffix, checked by rendering them back.
        static func item(of key: Key, format: KeyFormat, items: Int) -> Int? {
            let bytes = key.bytes
            let digits = bytes.count - format.prefix.count - format.suffix.count
            guard digits > 0, digits <= 18, bytes.starts(with: format.prefix), bytes.reversed().starts(with: format.suffix.reversed())
            else { return nil }
            var item = 0
            for byte in bytes[format.prefix.count..<(format.prefix.count + digits)] {
                // A width pads with spaces unless it says 0: leading spaces add nothing.
                if byte == UInt8(ascii: " "), item == 0 { continue }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                item = item * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard item < items, format.key(UInt64(item)) == key else { return nil }
            return item
        }
    }
}
