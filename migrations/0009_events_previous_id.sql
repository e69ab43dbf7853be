-- Erasure finds an alias by the id it came from (previous_id) through an index, as it finds
-- user_id and anonymous_id, rather than by scanning every partition. Only alias events have one.
CREATE INDEX events_previous_idx ON events (previous_id) WHERE previous_id IS NOT NULL;
