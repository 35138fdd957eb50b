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
--     (seq leads), so filling the table is an append, and a transaction
--     writes one row per 32 events or more instead of one per event.
-- A lookup by client and window lists the window's transactions from
-- event_spans and reads, for each, the client's `events` rows and the one
-- group whose address range holds the client. Rows stored before this
-- version stay in `events`.

CREATE TABLE event_groups (
  seq INTEGER NOT NULL,
  -- The lowest and highest client address key of the group's events
  -- (16-byte keys; an empty blob for events without a client address,
  -- which sorts first).
  client_lo BLOB NOT NULL,
  client_hi BLOB NOT NULL,
  -- How many events `data` holds.
  count INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (seq, client_lo)
) STRICT, WITHOUT ROWID;

-- Event ids are assigned by the writer, from one sequence shared by
-- `events` rows and grouped events (ids increase in insertion order).
CREATE TABLE store_state (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO store_state (name, value)
  SELECT 'next_event_id', COALESCE(MAX(id), 0) + 1 FROM events;
