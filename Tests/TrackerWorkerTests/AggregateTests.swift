import Foundation
import Testing
import TrackerCore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct AggregateTests {
    @Test func rollupsAndViewsEqualTheSameFiguresComputedOverEvents() async throws {
        let database = try await TestDatabase.create("worker_aggregates")
        let today = UTCDay(Date())
        var payloads: [String] = []
        for index in 0..<3_000 {
            // Spread over five days, some late (days ago), with named and unnamed calls and two people kinds.
            let day = today.adding(days: -(index % 5) * 9)
            let time = "\(day)T\(String(format: "%02d", index % 24)):\(String(format: "%02d", index % 60)):07Z"
            switch index % 4 {
            case 0: payloads.append(track(index, event: "E\(index % 3)", timestamp: time))
            case 1:
                payloads.append(
                    #"{"type":"page","anonymousId":"anon-\#(index % 31)","name":"P\#(index % 2)","messageId":"p-\#(index)","timestamp":"\#(time)"}"#
                )
            case 2:
                payloads.append(
                    #"{"type":"identify","userId":"user-\#(index % 53)","messageId":"i-\#(index)","timestamp":"\#(time)"}"#
                )
            default: payloads.append(#"{"type":"track","userId":"u","messageId":"bad-\#(index)"}"#)
            }
        }
        // Retries of the first 300 with other timestamps must not count twice.
        let staged = payloads.shuffled()
        let retries = (0..<300).filter { $0 % 4 == 0 }.map {
            track($0, event: "E\($0 % 3)", timestamp: "\(today)T23:59:00Z")
        }
        try await database.withWorkers(2) { client, _ in
            try await database.stage(staged + retries, client: client)
            try await database.waitUntilDrained()
            _ = try await ViewRefresher(interval: .seconds(1)).runOnce(in: database)
        }
        let mismatches: [String: String] = [
            "minute counts": TestDatabase.minuteCountMismatches,
            "daily people": TestDatabase.activeDayMismatches,
            "hour, day and total counts": """
            SELECT count(*)::int FROM (
              (SELECT 'hour', bucket, event, count FROM event_counts_hour WHERE count > 0
               UNION ALL SELECT 'day', bucket, event, count FROM event_counts_day WHERE count > 0
               UNION ALL SELECT granularity, bucket, '*', count FROM event_totals WHERE count > 0
               EXCEPT
               (SELECT g, date_trunc(g, timestamp, 'UTC'), coalesce(event, ''), count(*)
                FROM events, unnest(ARRAY['hour', 'day']) AS g GROUP BY 1, 2, 3
                UNION ALL SELECT g, date_trunc(g, timestamp, 'UTC'), '*', count(*)
                FROM events, unnest(ARRAY['minute', 'hour', 'day']) AS g GROUP BY 1, 2))
              UNION ALL
              ((SELECT g, date_trunc(g, timestamp, 'UTC'), coalesce(event, ''), count(*)
                FROM events, unnest(ARRAY['hour', 'day']) AS g GROUP BY 1, 2, 3
                UNION ALL SELECT g, date_trunc(g, timestamp, 'UTC'), '*', count(*)
                FROM events, unnest(ARRAY['minute', 'hour', 'day']) AS g GROUP BY 1, 2)
               EXCEPT
               (SELECT 'hour', bucket, event, count FROM event_counts_hour WHERE count > 0
                UNION ALL SELECT 'day', bucket, event, count FROM event_counts_day WHERE count > 0
                UNION ALL SELECT granularity, bucket, '*', count FROM event_totals WHERE count > 0))) AS d
            """,
            "people per day": """
            SELECT count(*)::int FROM (
              (SELECT day, people FROM active_people_counts WHERE people > 0
               EXCEPT SELECT (timestamp AT TIME ZONE 'UTC')::date, count(DISTINCT coalesce(user_id, anonymous_id))
                      FROM events GROUP BY 1)
              UNION ALL
              (SELECT (timestamp AT TIME ZONE 'UTC')::date, count(DISTINCT coalesce(user_id, anonymous_id))
               FROM events GROUP BY 1
               EXCEPT SELECT day, people FROM active_people_counts WHERE people > 0)) AS d
            """,
            "weekly and monthly people views": TestDatabase.periodPeopleMismatches(
                in: """
                    SELECT 'week', week, people FROM active_people_weekly
                    UNION ALL SELECT 'month', month, people FROM active_people_monthly
                    """),
            "weekly and monthly people": TestDatabase.periodPeopleMismatches(),
        ]
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 2_250)
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 750)
        for (name, query) in mismatches {
            #expect(try await database.scalar(.init(unsafeSQL: query)) == 0, "\(name) differ from events")
        }
        try await database.drop()
    }
}
