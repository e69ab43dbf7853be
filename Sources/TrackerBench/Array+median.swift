extension [Double] {
    /// The middle value (the upper one of an even count): a benchmark's rounds are few and a noisy
    /// neighbour skews their mean.
    var median: Double { sorted()[count / 2] }
}
