-- Nothing unbounded reaches an index. A refused message's ids can be any length, so failed_events
-- indexes a hash of each id it names (userId, anonymousId, previousId) instead of the id itself:
-- writing a refusal can never fail on an index row over PostgreSQL's size limit, and erasure finds
-- a failed message by any of its ids.
ALTER TABLE failed_events ADD COLUMN person_keys text[] NOT NULL DEFAULT '{}';
UPDATE failed_events SET person_keys = ARRAY[md5(person)] WHERE person IS NOT NULL;
DROP INDEX failed_events_person_idx;
CREATE INDEX failed_events_person_keys_idx ON failed_events USING gin (person_keys);

-- A batch's shared context/integrations/sentAt is stored once per request, not copied into each of
-- its messages: staged and failed rows name it by id. The collector makes the id, so the envelope
-- and its messages go in one flush without a round trip between them.
CREATE TABLE ingest_envelopes (
    id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    envelope text NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000);

COMMENT ON TABLE ingest_envelopes IS
    'Batch-level fields shared by the staged or failed messages of one request; deleted once unused.';

ALTER TABLE ingest_staging ADD COLUMN envelope_id uuid;
CREATE INDEX ingest_staging_envelope_idx ON ingest_staging (envelope_id) WHERE envelope_id IS NOT NULL;
ALTER TABLE failed_events ADD COLUMN envelope_id uuid;
CREATE INDEX failed_events_envelope_idx ON failed_events (envelope_id) WHERE envelope_id IS NOT NULL;
