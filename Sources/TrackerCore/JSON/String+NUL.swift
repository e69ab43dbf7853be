import Foundation

extension String {
    /// Whether the text holds a NUL character, which PostgreSQL's `text` and `jsonb` refuse.
    /// `memchr` over the UTF-8 bytes: `utf8.contains(0)` goes byte by byte through the generic
    /// view, and every field of every message is checked.
    public var containsNUL: Bool {
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        } ?? utf8.contains(0)
    }
}
