import Foundation
import Testing
import TrackerStore
import TrackerTestSupport

@Suite struct ErasureTests {
    @Test func erasesThePersonEverywhereAndLeavesOthersCounts() async throws {
        let database = try await TestDatabase.create("query_erasure")
        let now = Date()
        var payloads: [String] = []
        for index in 0..<40 {
            let time = now.addingTimeInterval(-Double(index) * 3_000)
            payloads.append(trackCall("t-\(index)", user: "target", event: "E\(index % 3)", at: time))
            payloads.append(trackCall("o-\(index)", user: "other-\(index % 4)", event: "E\(index % 3)", at: time))
        }
        // Someone else's event carrying the target as anonymous id.
        payloads.append(trackCall("linked", user: "other-0", event: "E0", at: now, anonymous: "target"))
        payloads.append(#"{"type":"page","anonymousId":"target","name":"Home","messageId":"anon-page"}"#)
        payloads.append(#"{"type":"track","userId":"target","messageId":"refused"}"#)
        let staged = payloads
        try await database.withWorkers { client, _ in
            try await database.stage(staged, client: client)
            try await database.waitUntilDrained()
        }
        // And one message still waiting in staging (no worker runs now).
        try await database.withClient { client in
            try await database.stage([trackCall("waiting", user: "target", event: "E1", at: now)], client: client)
        }
        // Fold the (day, person) pairs into weeks and months, so the erasure must take them out there.
        try await foldActivePeople(database)
        let othersBefore = try await database.scalar(
            "SELECT count(*)::int FROM events WHERE user_id LIKE 'other-%' AND anonymous_id IS DISTINCT FROM 'target'")

        try await withQueryAPI(database) { api in
            let answer = try await api.call("/v1/users/target", method: .delete)
            #expect(answer.status == .ok)
            let deleted = answer.json["deleted"] as? [String: Int]
            #expect(deleted?["events"] == 42)
            #expect(deleted?["staged"] == 1)
            #expect(deleted?["failed_events"] == 1)
            #expect((deleted?["active_days"] ?? 0) >= 2)
            let again = try await api.call("/v1/users/target", method: .delete)
            #expect(
                again.json["deleted"] as? [String: Int] == [
                    "events": 0, "staged": 0, "failed_events": 0, "active_days": 0,
                ])
        }
        let leftovers = [
            "SELECT count(*)::int FROM events WHERE user_id = 'target' OR anonymous_id = 'target'",
            "SELECT count(*)::int FROM ingest_staging WHERE payload LIKE '%target%'",
            "SELECT count(*)::int FROM failed_events WHERE person = 'target' OR payload LIKE '%target%'",
            "SELECT count(*)::int FROM active_people_daily WHERE person = 'target'",
            "SELECT count(*)::int FROM active_people_new WHERE person = 'target'",
            "SELECT count(*)::int FROM active_people_weeks WHERE person = 'target'",
            "SELECT count(*)::int FROM active_people_months WHERE person = 'target'",
        ]
        for query in leftovers {
            #expect(try await database.scalar(.init(unsafeSQL: query)) == 0, "\(query)")
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == othersBefore)
        // The rollups still equal events, and others' days are still backed by their events.
        let coarseMismatches = """
            SELECT count(*)::int FROM (
              (SELECT bucket, event, count FROM event_counts_day WHERE count > 0
               EXCEPT SELECT date_trunc('day', timestamp, 'UTC'), coalesce(event, ''), count(*) FROM events GROUP BY 1, 2)
              UNION ALL
              (SELECT bucket, '*', count FROM event_totals WHERE granularity = 'hour' AND count > 0
               EXCEPT SELECT date_trunc('hour', timestamp, 'UTC'), '*', count(*) FROM events GROUP BY 1)
              UNION ALL
              (SELECT day::timestamptz, '*', people FROM active_people_counts WHERE people > 0
               EXCEPT SELECT (timestamp AT TIME ZONE 'UTC')::date::timestamptz, '*',
                             count(DISTINCT coalesce(user_id, anonymous_id)) FROM events GROUP BY 1)) AS d
            """
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.minuteCountMismatches)) == 0)
        #expect(try await database.scalar(.init(unsafeSQL: coarseMismatches)) == 0)
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.activeDayMismatches)) == 0)
        try await foldActivePeople(database)
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.periodPeopleMismatches())) == 0)
        try await database.drop()
    }

    private func foldActivePeople(_ database: TestDatabase) async throws {
        _ = try await database.withConnection {
            try await ActivePeopleStore.fold(limit: 1_000_000, on: $0, logger: database.logger)
        }
    }

    /// Staged messages are matched on their decoded ids: a number, an escaped string, an alias's
    /// `previousId`; a message that only contains the id's text elsewhere stays.
    @Test func erasesStagedMessagesByDecodedIds() async throws {
        let database = try await TestDatabase.create("query_erasure_staged")
        let staged = [
            #"{"type":"track","userId":123,"event":"E","messageId":"number"}"#,
            #"{"type":"track","userId":"1234","event":"E","messageId":"longer-number"}"#,
            #"{"type":"track","userId":"t\u0061rget","event":"E","messageId":"escaped"}"#,
            #"{"type":"alias","userId":"new-id","previousId":"target","messageId":"alias"}"#,
            #"{"type":"track","userId":"other","anonymousId":"target","event":"E","messageId":"anonymous"}"#,
            #"{"type":"track","userId":"targeted","event":"target","messageId":"mentions"}"#,
        ]
        try await database.withClient { try await database.stage(staged, client: $0) }
        try await withQueryAPI(database) { api in
            let number = try await api.call("/v1/users/123", method: .delete)
            #expect((number.json["deleted"] as? [String: Int])?["staged"] == 1)
            let target = try await api.call("/v1/users/target", method: .delete)
            #expect((target.json["deleted"] as? [String: Int])?["staged"] == 3)
        }
        let left = try await database.scalar(
            "SELECT count(*)::int FROM ingest_staging WHERE message_id IN ('longer-number', 'mentions')")
        #expect(left == 2)
        #expect(try await database.scalar("SELECT count(*)::int FROM ingest_staging") == 2)
        try await database.drop()
    }

    /// A one-letter id is in nearly every staged row: none but its own may be locked, so a row a
    /// worker holds does not keep the erasure waiting.
    @Test func aShortIdLocksOnlyItsOwnStagedRows() async throws {
        let database = try await TestDatabase.create("query_erasure_short")
        let staged = [
            #"{"type":"track","userId":"a","event":"E","messageId":"mine"}"#,
            #"{"type":"track","userId":"alice","event":"E","messageId":"held"}"#,
            #"{"type":"track","userId":"bob","event":"a","messageId":"free"}"#,
        ]
        try await database.withClient { try await database.stage(staged, client: $0) }
        try await withQueryAPI(database) { api in
            try await database.withConnection { worker in
                try await worker.query("BEGIN", logger: database.logger)
                try await worker.query(
                    "SELECT 1 FROM ingest_staging WHERE message_id = 'held' FOR UPDATE", logger: database.logger)
                let erasure = Task {
                    (try await api.call("/v1/users/a", method: .delete).json["deleted"] as? [String: Int])?["staged"]
                }
                // The erasure commits while the other row is still held; the lock goes either way,
                // so an erasure that waits for it ends too.
                var waited: (any Error)?
                do {
                    try await waitUntil(timeout: .seconds(15), "the erasure commits while another row is held") {
                        try await database.scalar("SELECT count(*)::int FROM ingest_staging WHERE message_id = 'mine'")
                            == 0
                    }
                } catch { waited = error }
                try await worker.query("ROLLBACK", logger: database.logger)
                let staged = try await erasure.value
                if let waited { throw waited }
                #expect(staged == 1)
            }
        }
        let left = try await database.scalar(
            "SELECT count(*)::int FROM ingest_staging WHERE message_id IN ('held', 'free')")
        #expect(left == 2)
        #expect(try await database.scalar("SELECT count(*)::int FROM ingest_staging") == 2)
        try await database.drop()
    }

    /// Failed events are found by every id they name, decoded; events by an alias's `previous_id`,
    /// with the counts and the other person's day they stood for.
    @Test func erasesFailedEventsByAnyIdAndAliasesByPreviousId() async throws {
        let database = try await TestDatabase.create("query_erasure_ids")
        let now = Date()
        let time = iso(now)
        let payloads = [
            #"{"type":"alias","userId":"new-id","previousId":"target","messageId":"alias","timestamp":"\#(time)"}"#,
            trackCall("after-alias", user: "new-id", event: "E", at: now),
            #"{"type":"alias","userId":"lonely","previousId":"target","messageId":"lonely-alias","timestamp":"\#(time)"}"#,
            trackCall("someone", user: "bystander", event: "E", at: now),
            // Refused (no event name): the person is the anonymous id beside another user id.
            #"{"type":"track","userId":"other","anonymousId":"target","messageId":"failed-anonymous"}"#,
            #"{"type":"alias","userId":"someone","previousId":"target","messageId":"failed-alias","timestamp":"soon"}"#,
            #"{"type":"track","anonymousId":"t\u0061rget","messageId":"failed-escaped"}"#,
            #"{"type":"track","userId":"bystander","messageId":"failed-other"}"#,
        ]
        try await database.withWorkers { client, _ in
            try await database.stage(payloads, client: client)
            try await database.waitUntilDrained()
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 4)
        try await withQueryAPI(database) { api in
            let answer = try await api.call("/v1/users/target", method: .delete)
            #expect(answer.status == .ok)
            let deleted = answer.json["deleted"] as? [String: Int]
            #expect(deleted?["events"] == 2)
            #expect(deleted?["failed_events"] == 3)
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events WHERE previous_id = 'target'") == 0)
        let failedLeft = try await database.scalar(
            "SELECT count(*)::int FROM failed_events WHERE message_id = 'failed-other'")
        #expect(failedLeft == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 1)
        // new-id keeps its day (its own event), lonely loses it (the alias was all it had).
        #expect(try await database.scalar("SELECT count(*)::int FROM active_people_daily WHERE person = 'new-id'") == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM active_people_daily WHERE person = 'lonely'") == 0)
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.minuteCountMismatches)) == 0)
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.activeDayMismatches)) == 0)
        try await foldActivePeople(database)
        #expect(try await database.scalar(.init(unsafeSQL: TestDatabase.periodPeopleMismatches())) == 0)
        try await database.drop()
    }

    @Test func refusesAnEmptyOrOversizedId() async throws {
        let database = try await TestDatabase.create("query_erasure_bad")
        try await withQueryAPI(database) { api async throws in
            let long = String(repeating: "x", count: 257)
            #expect(try await api.call("/v1/users/\(long)", method: .delete).status == .badRequest)
            #expect(try await api.call("/v1/users/a%00b", method: .delete).status == .badRequest)
        }
        try await database.drop()
    }
}
