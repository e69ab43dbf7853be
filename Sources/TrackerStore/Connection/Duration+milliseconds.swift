extension Duration {
    /// Whole milliseconds, rounded up so that a short limit never becomes 0, which PostgreSQL's
    /// timeouts read as no limit at all.
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
