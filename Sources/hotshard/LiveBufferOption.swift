import ArgumentParser
import HotshardCapture

/// `--buffer-size`: the kernel ring a live capture reads from (tcpdump's `-B`, in MB here).
/// libpcap's immediate mode gives every packet a frame sized for the link's largest packet, so on
/// `lo` (64 KB MTU) 32 MB holds about 500 packets: a client pipelining against a local server
/// outruns that within milliseconds, and the kernel drops what does not fit (`kernel drops`).
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
