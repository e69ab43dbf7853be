import Foundation

/// A benchmark's figures, one per round.
extension [Double] {
    /// The middle value (the upper one of an even count): a benchmark's rounds are few and a noisy
    /// neighbour skews their mean.
    var median: Double { sorted()[count / 2] }

    /// Each round's figure over the baseline's in the same round.
    func ratios(over baseline: [Double]) -> [Double] {
        zip(self, baseline).map { $0 / $1 }
    }

    /// "0.82, 0.79, …": every round's ratio, for a table cell.
    var listed: String {
        map { String(format: "%.2f", $0) }.joined(separator: ", ")
    }

    /// "30197, 32514, …": every round's rate, for a table cell.
    var listedRates: String {
        map { "\(Int($0))" }.joined(separator: ", ")
    }
}
