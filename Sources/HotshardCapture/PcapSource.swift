import CPcap
import HotshardBytes

#if canImport(Glibc)
import Glibc
#endif

/// One libpcap handle — a file (plain or gzip) or a live interface — with its current packet.
final class PcapSource {
    let name: String
    let handle: OpaquePointer
    let link: LinkType
    let linkName: String
    let isLive: Bool
    private let gzip: gzFile?
    let sizeBytes: Int?

    /// The packet read last; valid until the next `advance()`.
    private(set) var header: UnsafeMutablePointer<pcap_pkthdr>?
    private(set) var data: UnsafePointer<UInt8>?
    private(set) var packetsRead = 0

    /// The packet read last: the bytes captured (valid until the next `advance()`) and the
    /// frame's length on the wire; nil when there is none.
    var packet: (frame: ByteView, wireLength: Int)? {
        guard let header, let data else { return nil }
        let frame = ByteView(UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)))
        return (frame, Int(header.pointee.len))
    }
    /// A live source's descriptor for waiting: libpcap's own read timeout never fires in immediate
    /// mode on a quiet link, so reads are non-blocking and the wait is ours.
    private let selectableFD: Int32

    /// Opens a capture file; `.gz` content is recognised by its magic bytes, not its name.
    init(file path: String) throws {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var gzip: gzFile?
        let handle: OpaquePointer?
        if GzipStream.isGzip(path: path) {
            guard let opened = GzipStream.open(path: path) else {
                throw CaptureError.cannotOpenFile(path: path, reason: String(cString: strerror(errno)))
            }
            gzip = opened.gzip
            handle = pcap_fopen_offline_with_tstamp_precision(
                opened.file, UInt32(PCAP_TSTAMP_PRECISION_NANO),
                &errorBuffer)
            if handle == nil {
                var zError: Int32 = 0
                let zMessage = gzerror(opened.gzip, &zError)
                let reason = zError != Z_OK && zError != Z_STREAM_END ? zMessage.map { String(cString: $0) } : nil
                fclose(opened.file)
                if let reason { throw CaptureError.damagedCompression(path: path, reason: reason) }
            }
        } else {
            handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        }
        guard let handle else {
            throw CaptureError.cannotOpenFile(path: path, reason: Self.message(errorBuffer))
        }
        self.name = path
        self.handle = handle
        self.gzip = gzip
        self.isLive = false
        self.selectableFD = -1
        let dlt = pcap_datalink(handle)
        self.link = LinkType(dlt: dlt)
        self.linkName = LinkType.name(dlt: dlt)
        var info = stat()
        self.sizeBytes = stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Opens a live interface with the options' snaplen, buffer size and immediate mode, reading
    /// without blocking: `advance()` waits on the descriptor itself, briefly, so that a stop or a
    /// deadline is noticed promptly even when no packet comes.
    init(interface: String, options: CaptureOptions) throws {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw CaptureError.cannotCapture(interface: interface, reason: Self.message(errorBuffer))
        }
        pcap_set_snaplen(handle, options.snaplen)
        pcap_set_buffer_size(handle, options.bufferSizeBytes)
        pcap_set_immediate_mode(handle, options.immediate ? 1 : 0)
        // In block mode the kernel hands over a block when it is full or this old; half the wait
        // below, so that a wait after a stop always sees the last block.
        pcap_set_timeout(handle, Self.blockTimeoutMilliseconds)
        pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO)
        let status = pcap_activate(handle)
        if status < 0 {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            switch status {
            case PCAP_ERROR_NO_SUCH_DEVICE: throw CaptureError.noSuchInterface(interface)
            case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
                throw CaptureError.permissionDenied(interface: interface, reason: reason)
            default: throw CaptureError.cannotCapture(interface: interface, reason: reason)
            }
        }
        let selectable = pcap_get_selectable_fd(handle)
        guard selectable >= 0, pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            let reason = selectable < 0 ? "no descriptor to wait on" : Self.message(errorBuffer)
            pcap_close(handle)
            throw CaptureError.cannotCapture(interface: interface, reason: reason)
        }
        self.name = interface
        self.handle = handle
        self.gzip = nil
        self.isLive = true
        self.selectableFD = selectable
        let dlt = pcap_datalink(handle)
        self.link = LinkType(dlt: dlt)
        self.linkName = LinkType.name(dlt: dlt)
        self.sizeBytes = nil
    }

    deinit { pcap_close(handle) }

    /// libpcap's NUL-terminated error buffer as text.
    private static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func apply(filter: String) throws {
        var program = bpf_program()
        if pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw CaptureError.badFilter(filter: filter, reason: String(cString: pcap_geterr(handle)))
        }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(handle, &program) != 0 {
            throw CaptureError.badFilter(filter: filter, reason: String(cString: pcap_geterr(handle)))
        }
    }

    enum Advance { case packet, timeout, end, failed(String) }

    /// Reads the next packet into `header`/`data`.
    func advance() -> Advance {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var status = pcap_next_ex(handle, &header, &data)
        if status == 0, selectableFD >= 0 {
            var waiting = pollfd(fd: selectableFD, events: Int16(POLLIN), revents: 0)
            if poll(&waiting, 1, Self.liveWaitMilliseconds) > 0 { status = pcap_next_ex(handle, &header, &data) }
        }
        switch status {
        case 1:
            self.header = header
            self.data = data
            packetsRead += 1
            return .packet
        case 0:
            // The previous packet was handled already: it must not be seen twice.
            self.header = nil
            self.data = nil
            return .timeout
        case PCAP_ERROR_BREAK:
            self.header = nil
            return .end
        default:
            self.header = nil
            var reason = String(cString: pcap_geterr(handle))
            if let gzip {
                var zError: Int32 = 0
                if let message = gzerror(gzip, &zError), zError != Z_OK, zError != Z_STREAM_END {
                    reason = "damaged gzip data: " + String(cString: message)
                }
            }
            return .failed(reason)
        }
    }

    /// The current packet's timestamp in ns (libpcap was asked for nanosecond precision).
    var timestampNanos: Int64 {
        guard let header else { return .max }
        return Int64(header.pointee.ts.tv_sec) &* 1_000_000_000 &+ Int64(header.pointee.ts.tv_usec)
    }

    /// Bytes of the file consumed so far (compressed bytes for gzip files).
    var bytesRead: Int {
        if let gzip { return Int(gzoffset(gzip)) }
        guard let file = pcap_file(handle) else { return 0 }
        return Int(ftell(file))
    }

    /// How long a live read waits for a packet before it reports a timeout, so that a stop or a
    /// deadline is noticed on a quiet link.
    static let liveWaitMilliseconds: Int32 = 100
    static let blockTimeoutMilliseconds: Int32 = 50

    func breakLoop() { pcap_breakloop(handle) }

    /// Kernel and interface drops of a live capture.
    func statistics() -> (dropped: Int, interfaceDropped: Int)? {
        var stats = pcap_stat()
        guard isLive, pcap_stats(handle, &stats) == 0 else { return nil }
        return (Int(stats.ps_drop), Int(stats.ps_ifdrop))
    }
}
