-- culprit schema, version 4: ordinary events stored per (transaction,
-- client), so ingestion writes a row per client rather than per line.
--
-- Most lines of a busy log are ordinary requests that indicate no reset
-- cause. Until version 3 each was an `events` row with its index entries:
-- the b-tree work and the WAL pages per line bounded ingestion. Now:
--   * events with a cause (a few percent: the lines the correlator, the
--     reports and TopCauses look for) stay rows of `events`, with their
--     indexes;
--   * every other event goes into `event_groups`: a write transaction's
--     ordinary events sorted by client address and packed
--     (daemon/store/event_codec.h) into rows of at least 32 events, a
--     client's events never split across two rows. Keys arrive in order
--     (seq leads, then the addresses), so filling the table and its index
--     are appends, and a transaction writes one row per 32 events or more
--     instead of one per event.
-- A lookup by client and window lists the window's transactions from
-- event_spans and reads, for each, the client's `events` rows and the one
-- group whose address range holds the client. Rows stored before this
-- version stay in `events`.

CREATE TABLE event_groups (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  -- The lowest and highest client address key of the group's events
  -- (16-byte keys; an empty blob for events without a client address,
  -- which sorts first).
  client_lo BLOB NOT NULL,
  client_hi BLOB NOT NULL,
  -- How many events `data` holds.
  count INTEGER NOT NULL,
  -- The distinct client address keys of the group, 16 bytes each, in
  -- order: a lookup tests membership here (instr) before it reads `data`,
  -- which comes last so that test never reads the packed events.
  clients BLOB NOT NULL,
  data BLOB NOT NULL
) STRICT;
-- A rowid table with a narrow index rather than WITHOUT ROWID: rows of
-- several kilobytes would make every key of a WITHOUT ROWID b-tree that
-- large, and a seek would read them.
CREATE INDEX event_groups_by_seq ON event_groups (seq, client_lo, client_hi);

-- Since this version `events` holds events with a cause only, so indexes
-- on it are cheap: chains by request id, and host-wide lookups by cause.
CREATE INDEX events_by_request_id ON events (request_id, ts_us) WHERE request_id IS NOT NULL;
CREATE INDEX events_with_cause_by_cause ON events (cause, ts_us) WHERE cause <> 0;
-- Led by the address, this index took a random page write for every event
-- with a cause; a client's caused events are found per transaction
-- (events_by_seq_client) like its other events.
DROP INDEX events_with_cause_by_client;

-- Event ids are assigned by the writer, from one sequence shared by
-- `events` rows and grouped events (ids increase in insertion order).
CREATE TABLE store_state (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO store_state (name, value)
  SELECT 'next_event_id', COALESCE(MAX(id), 0) + 1 FROM events;
