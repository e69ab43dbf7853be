import Foundation

extension String {
    /// Whether the text holds a NUL character, which PostgreSQL's `text` and `jsonb` refuse.
    /// `memchr` over the UTF-8 bytes: `utf8.contains(0)` goes byte by byte through the generic
    /// view, and was the collector's largest single cost on batches and 1.4 % of the worker's.
    public var containsNUL: Bool {
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        } ?? utf8.contains(0)
    }
}
