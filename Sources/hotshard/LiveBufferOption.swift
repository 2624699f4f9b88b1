import ArgumentParser
import HotshardCapture

/// `--buffer-size`: the kernel ring a live capture reads from (tcpdump's `-B`, in MB here).
/// Captures read the block ring (no immediate mode), where packets take their own size: 32 MB
/// holds tens of thousands of small packets. (In immediate mode each took a 64 KB frame on `lo`,
/// and 32 MB held about 500.)
struct LiveBufferOption: ParsableArguments {
    @Option(
        name: .customLong("buffer-size"),
        help: "Kernel capture buffer of a live capture, in MB (like tcpdump -B): raise it when the result reports kernel drops. 1-2047.")
    var bufferSize: Int = Int(CaptureOptions().bufferSizeBytes >> 20)

    func validate() throws {
        guard (1...2_047).contains(bufferSize) else { throw ValidationError("--buffer-size must be 1 to 2047 (MB)") }
    }

    func apply(to options: inout CaptureOptions) {
        options.bufferSizeBytes = Int32(bufferSize) << 20
    }
}
