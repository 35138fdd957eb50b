-- culprit schema, version 3: a client lookup index whose keys arrive in
-- order, so ingestion no longer dirties a page per client per transaction.
--
-- Version 1 indexed (minute, client_ip, ts_us). Within a minute the client
-- addresses arrive in random order, so every transaction touched (and wrote
-- to the WAL) about one index page per distinct client: the index, not the
-- table, bounded ingestion. Now each write transaction has a sequence number
-- (events.seq) and the index leads with it, so a transaction's index entries
-- all land after every existing entry: an append, whatever the addresses.
--
-- event_spans maps time to transactions: one row per (second, seq) for each
-- second of event time a transaction stored events in. A lookup by client
-- and window lists the transactions of the window's seconds, then seeks
-- (seq, client_ip, ts_us) in each.

ALTER TABLE events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

DROP INDEX events_by_minute_client;
CREATE INDEX events_by_seq_client ON events (seq, client_ip, ts_us);

CREATE TABLE event_spans (
  -- ts_us / 1000000 (SQLite's integer division: toward zero).
  second INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (second, seq)
) STRICT, WITHOUT ROWID;

-- Events stored before this version all have seq 0.
INSERT INTO event_spans (second, seq) SELECT DISTINCT ts_us / 1000000, 0 FROM events;
