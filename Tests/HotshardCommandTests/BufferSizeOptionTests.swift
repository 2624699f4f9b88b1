import Foundation
import Testing
import HotshardCapture
import HotshardTestSupport
@testable import hotshard

/// `--buffer-size` (the kernel ring of a live capture, in MB) on `analyze` and `top`: out-of-range
/// values are refused before any capture starts, with the range in the message.
@Suite struct BufferSizeOptionTests {
    @Test(arguments: ["analyze", "top"])
    func outOfRangeSizesAreRefused(command: String) throws {
        #expect(FileManager.default.isExecutableFile(atPath: TopCommandTests.binary), "\(TopCommandTests.binary) not built")
        for size in ["0", "2048", "-5"] {
            let output = try ExternalTool.run(TopCommandTests.binary, [command, "-i", "lo", "--buffer-size", size])
            // ArgumentParser's validation failure exit code (EX_USAGE).
            #expect(output.status == 64, "\(command) --buffer-size \(size): status \(output.status)")
            #expect(
                output.stderr.contains("--buffer-size must be 1 to 2047 (MB)") || size == "-5",
                "\(command) --buffer-size \(size): \(output.stderr)")
        }
        let help = try ExternalTool.run(TopCommandTests.binary, [command, "--help"]).stdout
        #expect(help.contains("--buffer-size") && help.contains("(default: 32)"))
    }

    /// The size given reaches the capture's options in bytes; without the option, the capture's default.
    @Test func theSizeReachesTheCaptureOptions() throws {
        var options = CaptureOptions()
        try LiveBufferOption.parse(["--buffer-size", "128"]).apply(to: &options)
        #expect(options.bufferSizeBytes == 134_217_728)
        options = CaptureOptions()
        try LiveBufferOption.parse([]).apply(to: &options)
        #expect(options.bufferSizeBytes == 33_554_432)
    }
}
