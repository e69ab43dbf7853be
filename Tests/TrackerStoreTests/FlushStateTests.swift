import PostgresNIO
import Testing

@testable import TrackerStore

/// The staging flush's deadline against its stages: a flush abandoned in the middle of its `COPY`
/// must not have its connection closed then (postgres-nio traps on a close during `COPY FROM
/// STDIN`), but as soon as the `COPY` returns, and it must never reach `COMMIT`.
@Suite struct FlushStateTests {
    @Test func aFlushAbandonedWhileCopyingClosesOnlyAfterTheCopyAndNeverCommits() {
        let flush = FlushState()
        #expect(flush.startCopy())
        let toClose = flush.abandon()
        #expect(toClose != nil, "abandoned, not committing")
        #expect(toClose.flatMap { $0 } == nil, "no connection to close while copying")
        #expect(flush.endCopy(), "the copy's end closes the connection")
        #expect(!flush.startCommit())
        #expect(!flush.endCopy(), "closed once")
    }

    @Test func aFlushThatCopiedThenCommitsCannotBeAbandoned() {
        let flush = FlushState()
        #expect(flush.startCopy())
        #expect(!flush.endCopy())
        #expect(flush.startCommit())
        #expect(flush.abandon() == nil, "committing: only the outcome answers")
    }

    @Test func aFlushAbandonedBeforeItsCopyNeverStartsIt() {
        let flush = FlushState()
        #expect(flush.abandon() != nil)
        #expect(!flush.startCopy())
        #expect(!flush.startCommit())
    }
}
