/// The compact binary form of a `Codable` value (`BinaryEncoder`, `BinaryDecoder`): what a result
/// stores its mergeable summary state in, so that the document a person opens stays small and
/// `merge` reads it without parsing text. Every field is the one its `Codable` conformance
/// defines; nothing here knows a result's fields.
///
/// Layout: the magic `HSB1`, a u64 (little endian) offset of the key table, the root value, the
/// key table (a varint count, then each key name as a varint length and UTF-8). A value is a tag
/// byte and its payload:
/// - `nil`, `false`, `true`: nothing more;
/// - `int`: a zigzag LEB128 varint; `uint`: a LEB128 varint;
/// - `double`: 8 bytes, `float`: 4 bytes, IEEE 754 bit patterns, little endian;
/// - `string`: a varint byte count and UTF-8;
/// - `array`, `object`: a u32 byte count of the body, a u32 element count, the body: the values,
///   for an object each after the varint index of its key in the key table. The byte count lets a
///   reader step over a value without reading it.
enum BinaryFormat {
    static let magic: [UInt8] = Array("HSB1".utf8)
    /// Magic and key table offset.
    static let headerSize = 12
    /// Tag, body byte count, element count.
    static let containerHeaderSize = 9

    enum Tag: UInt8 {
        case null = 0, falseValue, trueValue, int, uint, double, float, string, array, object
    }
}
