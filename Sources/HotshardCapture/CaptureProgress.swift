/// How far a capture has been read, for a progress line. `totalBytes` is nil for live captures.
public struct CaptureProgress: Sendable, Equatable {
    public var bytesRead: Int
    public var totalBytes: Int?
    public var packets: Int

    public init(bytesRead: Int, totalBytes: Int?, packets: Int) {
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.packets = packets
    }
}
