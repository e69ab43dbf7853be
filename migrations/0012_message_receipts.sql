-- Receipts (`GET /v1/messages/{messageId}`) find a message through indexes.
--
-- A stored event through its dedupe key: the window now records the timestamp of the copy it
-- stored, so the read goes to that day's partition by its primary key. `events` keeps no index on
-- message_id (every index is paid for by each stored event, 0005). Keys recorded before this
-- migration have no timestamp; their receipts say `stored` without the event until the window
-- forgets them.
ALTER TABLE event_dedupe ADD COLUMN event_timestamp timestamptz;

-- Failed messages by id. A hash index: a refused message's id can be of any length (a B-tree row
-- over a third of a page would fail the refusal's insert), and only equality is asked. Refusals
-- are rare next to stored events, so the index costs valid traffic nothing.
CREATE INDEX failed_events_message_idx ON failed_events USING hash (message_id);
