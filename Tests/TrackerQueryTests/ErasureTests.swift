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
