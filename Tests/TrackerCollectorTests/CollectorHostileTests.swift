import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
import TrackerCollector
import TrackerCore
import TrackerStore
import TrackerTestSupport

/// Requests built to exhaust the collector or to store what they should not.
@Suite struct CollectorHostileTests {
    /// 2,500 tiny messages under a 330 KB batch context, gzipped to a few KB: refused before anything
    /// is multiplied out.
    @Test func aBatchEnvelopeOverItsLimitIsRefused() async throws {
        try await withCollector("collector_envelope_limit") { database, client in
            let context = #"{"pad":"\#(String(repeating: "x", count: 330_000))"}"#
            let messages = (0..<2_500).map { #"{"type":"track","userId":"u","event":"E","messageId":"m\#($0)"}"# }
            var plain = ByteBuffer(string: #"{"context":\#(context),"batch":[\#(messages.joined(separator: ","))]}"#)
            let compressed = try plain.compress(with: .gzip())
            #expect(compressed.readableBytes < 20_000)
            var headers = jsonHeaders
            headers[.contentEncoding] = "gzip"
            try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: compressed) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.errorBody?.code == "envelope_too_large")
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    /// A batch's context is stored once for the request, not copied into each message.
    @Test func aBatchEnvelopeIsStoredOncePerRequest() async throws {
        try await withCollector("collector_envelope_once") { database, client in
            let messages = (0..<100).map { #"{"type":"track","userId":"u","event":"E","messageId":"m\#($0)"}"# }
            let context = #"{"library":{"name":"sdk"},"pad":"\#(String(repeating: "y", count: 30_000))"}"#
            let body = ByteBuffer(string: #"{"context":\#(context),"batch":[\#(messages.joined(separator: ","))]}"#)
            try await client.execute(uri: "/v1/batch", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .ok)
            }
            #expect(try await database.scalar("SELECT count(*)::int FROM ingest_envelopes") == 1)
            #expect(
                try await database.scalar(
                    "SELECT count(*)::int FROM ingest_staging s JOIN ingest_envelopes e ON e.id = s.envelope_id") == 100
            )
            #expect(
                try await database.scalar(
                    "SELECT coalesce(sum(octet_length(payload) + coalesce(octet_length(envelope), 0)), 0)::int FROM ingest_staging"
                ) < 10_000)
        }
    }

    /// With write keys, the key decides an original-tracker event's source; a body naming another
    /// is refused. Without them, a body's source is bounded like any indexed text.
    @Test func anOriginalTrackerEventCannotForgeItsSource() async throws {
        let configuration = CollectorConfiguration(writeKeys: WriteKeys(["key-web": "web"]))
        try await withCollector("collector_source_forgery", configuration: configuration) { database, client in
            func post(_ body: String) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/events", method: .post, headers: basicAuth("key-web"), body: ByteBuffer(string: body)
                ) { $0.status }
            }
            let forged = try await post(#"{"userId":"u","sessionId":"s","eventType":"E","source":"ios"}"#)
            let named = try await post(#"{"userId":"u","sessionId":"s","eventType":"E","source":"web"}"#)
            let unnamed = try await post(#"{"userId":"u","sessionId":"s","eventType":"E"}"#)
            #expect([forged, named, unnamed] == [.badRequest, .accepted, .accepted])
            #expect(try await database.stagedRows().map(\.0) == ["web", "web"])
        }
        try await withCollector("collector_source_limit") { database, client in
            let long = String(repeating: "s", count: 101)
            let body = ByteBuffer(string: #"{"userId":"u","sessionId":"s","eventType":"E","source":"\#(long)"}"#)
            try await client.execute(uri: "/events", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    /// Sources a body names without write keys are counted as `other`: each distinct string would
    /// otherwise become a metric series that is never freed.
    @Test func metricsNameOnlyConfiguredSources() async throws {
        try await withCollector("collector_source_labels") { _, client in
            let body = ByteBuffer(string: #"{"userId":"u","sessionId":"s","eventType":"E","source":"forged-label"}"#)
            try await client.execute(uri: "/events", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .accepted)
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(!metrics.contains("forged-label"))
            #expect(metrics.contains(#"tracker_collector_events_accepted_total{source="other"}"#))
        }
    }

    /// A retry under the same `Idempotency-Key` gets the same server-made id, so the dedupe window
    /// stores it once.
    @Test func anIdempotencyKeyGivesARetryTheSameId() async throws {
        try await withCollector("collector_idempotency") { database, client in
            var headers = jsonHeaders
            headers[HTTPField.Name("Idempotency-Key")!] = "retry-1"
            let legacy = ByteBuffer(string: #"{"userId":"u","sessionId":"s","eventType":"E"}"#)
            var eventIds: [String] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/events", method: .post, headers: headers, body: legacy) { response in
                    #expect(response.status == .accepted)
                    eventIds.append(response.json?["eventId"] as? String ?? "")
                }
            }
            #expect(eventIds[0] == eventIds[1] && UUID(uuidString: eventIds[0]) != nil)
            let track = ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/track", method: .post, headers: headers, body: track) { response in
                    #expect(response.status == .ok)
                }
            }
            let ids = try await database.stagedRows().map(\.3)
            #expect(ids.count == 4 && ids[0] == ids[1] && ids[2] == ids[3])
            var otherSource = headers
            otherSource[HTTPField.Name("Idempotency-Key")!] = "retry-2"
            try await client.execute(uri: "/v1/track", method: .post, headers: otherSource, body: track) { response in
                #expect(response.status == .ok)
            }
            #expect(Set(try await database.stagedRows().map(\.3)).count == 3)
            headers[HTTPField.Name("Idempotency-Key")!] = String(repeating: "k", count: 300)
            try await client.execute(uri: "/v1/track", method: .post, headers: headers, body: track) { response in
                #expect(response.status == .badRequest)
                #expect(response.errorBody?.code == "invalid_idempotency_key")
            }
        }
    }

    /// A flush whose COMMIT outlives the flush deadline but succeeds is acknowledged: answering 503
    /// made clients retry, and a message without a messageId was stored twice. The COMMIT is held by
    /// a deferred trigger waiting on a lock the test holds until the COMMIT has run past the deadline.
    @Test func aCommitThatOutlivesTheDeadlineButSucceedsIsAcknowledged() async throws {
        var configuration = CollectorConfiguration()
        configuration.staging.flushTimeout = .seconds(2)
        try await withCollector("collector_slow_commit", configuration: configuration) { database, client in
            try await database.withConnection { connection in
                try await connection.query(
                    """
                    CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql
                    AS $$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$
                    """, logger: database.logger)
                try await connection.query(
                    """
                    CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT ON ingest_staging
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION held_commit()
                    """, logger: database.logger)
            }
            try await database.withConnection { holder in
                try await holder.query("SELECT pg_advisory_lock(4242)", logger: database.logger)
                let body = ByteBuffer(string: #"{"userId":"u","sessionId":"s","eventType":"slow"}"#)
                async let answer = client.execute(uri: "/events", method: .post, headers: jsonHeaders, body: body)
                try await waitUntil("the COMMIT has waited past the flush deadline") {
                    try await database.scalar(
                        """
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE datname = current_database() AND query = 'COMMIT' AND wait_event_type = 'Lock'
                          AND now() - query_start > interval '2.5 seconds'
                        """) == 1
                }
                try await holder.query("SELECT pg_advisory_unlock(4242)", logger: database.logger)
                let response = try await answer
                #expect(response.status == .accepted, "a committed request was refused")
            }
            #expect(try await database.stagedCount == 1)
        }
    }
}
