-- culprit schema, version 5: indexes for retention (daemon/store/retention.h),
-- which deletes what is older than `[daemon] retention` a few thousand rows at
-- a time. Each finds the oldest rows of a kind with one seek; neither costs
-- ingestion anything noticeable.

-- The seconds each write transaction stored events in, by transaction:
-- retention walks transactions in seq order and deletes one's event_groups
-- rows and spans once its newest second has expired. One entry per span row
-- (a few per transaction), appended: seq leads and only grows.
CREATE INDEX event_spans_by_seq ON event_spans (seq, second);

-- Ordinary events stored as `events` rows before schema 4, by time. Since
-- schema 4 the writer stores only events with a cause as rows (found by
-- events_with_cause_by_time), so this partial index never gains an entry:
-- it costs a one-time build on a database from before schema 4, nothing on
-- a newer one.
CREATE INDEX events_without_cause_by_time ON events (ts_us) WHERE cause = 0;
