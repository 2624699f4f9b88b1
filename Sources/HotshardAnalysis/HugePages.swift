import CPrefetch

#if canImport(Glibc)
import Glibc
#endif

extension Array {
    /// Reserves room for `capacity` elements and asks the kernel to back it with transparent huge
    /// pages (2 MB) where it allows them (`madvise` mode, as on this project's machines).
    ///
    /// For the analyzer's per-slot tables, which every message reads at a random place: with 4 KB
    /// pages 64 MB of key statistics is 16,000 pages, far beyond the TLB, so nearly every update
    /// also waited for a page walk (in profiles, most of the time went to the prefetch instructions
    /// themselves). Call it before the elements are written: pages already touched stay small.
    mutating func reserveCapacityOnHugePages(_ capacity: Int) {
        reserveCapacity(capacity)
        #if os(Linux)
        let byteCount = capacity * MemoryLayout<Element>.stride
        guard byteCount >= 4 << 20 else { return }
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let page = 4096
            let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
            let end = (Int(bitPattern: base) + byteCount) & ~(page - 1)
            guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        }
        #endif
    }

    /// Asks the CPU to start loading element `index` (nothing when it is outside the array): the
    /// analyzer's tables call it for the slots of messages a few places ahead. With `madvise`
    /// above, the one place in the analysis that takes an element's address.
    @inline(__always)
    func prefetchElement(at index: Int) {
        guard index >= 0, index < count else { return }
        withUnsafeBufferPointer { if let base = $0.baseAddress { hotshard_prefetch(base + index) } }
    }
}
