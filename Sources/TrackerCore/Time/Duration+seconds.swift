extension Duration {
    /// The duration in seconds as a `Double`, for rates; `components` splits it in two integers.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
