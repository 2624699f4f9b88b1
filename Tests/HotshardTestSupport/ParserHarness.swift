import HotshardBytes
import HotshardCapture
import HotshardProtocols

/// Feeds a protocol parser by hand, as the reassembler would: the parser tests' one driver.
public enum ParserHarness {
    /// Feeds `inputs` in order, each cut as it says, then finishes the flow at `finishAt` (default:
    /// 1 ns after the last piece). The clock for inputs without a timestamp starts at `clockStart`.
    /// Every message emitted goes to `emit`, in order.
    public static func run<Parser: ConversationParser>(
        _ parser: inout Parser, _ inputs: [ParserInput],
        clockStart: Int64 = 1_000, finishAt: Int64? = nil,
        emit: (Message) -> Void
    ) {
        var clock = clockStart
        for input in inputs {
            let size = max(1, input.piece ?? input.bytes.count)
            for start in stride(from: 0, to: input.bytes.count, by: size) {
                let time: Int64
                if let fixed = input.timestampNanos {
                    time = fixed
                } else {
                    clock += 10
                    time = clock
                }
                input.bytes[start..<min(input.bytes.count, start + size)].withByteView { piece in
                    parser.feed(input.direction, timestampNanos: time, bytes: piece) { emit($0) }
                }
            }
        }
        parser.finish(timestampNanos: finishAt ?? clock + 1) { emit($0) }
    }

    /// The messages of `inputs`, in order.
    public static func messages<Parser: ConversationParser>(
        _ parser: inout Parser, _ inputs: [ParserInput],
        clockStart: Int64 = 1_000, finishAt: Int64? = nil
    ) -> [Message] {
        var messages: [Message] = []
        run(&parser, inputs, clockStart: clockStart, finishAt: finishAt) { messages.append($0) }
        return messages
    }
}
