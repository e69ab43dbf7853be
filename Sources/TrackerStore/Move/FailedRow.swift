/// One row for `failed_events`.
public struct FailedRow: Sendable, Equatable {
    public var row: ClaimedRow
    /// Every id the message names, of any length: indexed only as hashes (`person_keys`).
    public var people: [String]
    public var reason: String
    public var detail: String

    public init(row: ClaimedRow, people: [String], reason: String, detail: String) {
        self.row = row
        self.people = people
        self.reason = reason
        self.detail = detail
    }

    /// The first id, shown with the failed event.
    public var person: String? { people.first }
}
