import HotshardCapture
import HotshardProtocols

/// Capture files through the capture layer and `TrafficDecoder`, as `hotshard analyze` reads
/// them: the one way the tests turn a fixture into messages.
public enum CaptureDecoding {
    /// Decodes `files` (absolute paths, merged in time order) into `sink` and finishes every flow
    /// at `finishAt` (as `analyze` does, 0). Returns the decoder, whose `health` holds the parsers' counters.
    @discardableResult
    public static func decode(
        _ files: [String], configuration: DecoderConfiguration = DecoderConfiguration(),
        into sink: MessageSink, finishAt: Int64 = 0
    ) throws -> TrafficDecoder {
        let decoder = TrafficDecoder(configuration: configuration, sink: sink)
        let session = try CaptureSession(files: files)
        try session.run(into: decoder)
        decoder.finish(timestampNanos: finishAt)
        return decoder
    }

    /// Every message of `files`, in order, with the parsers' counters.
    public static func messages(
        _ files: [String], configuration: DecoderConfiguration = DecoderConfiguration(),
        finishAt: Int64 = 0
    ) throws -> (messages: [Message], health: ParserHealth) {
        let collector = MessageCollector()
        let decoder = try decode(files, configuration: configuration, into: collector, finishAt: finishAt)
        return (collector.messages, decoder.health)
    }
}
