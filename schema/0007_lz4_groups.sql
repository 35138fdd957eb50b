-- culprit schema, version 7: a group's packed events may be LZ4-compressed.
--
-- The writer stores event_groups.data compressed when that makes it smaller
-- (daemon/store/event_codec.h, CompressGroup): the byte 0x00, the packed
-- size as a varint, one LZ4 block. Packed log lines compress about 4x, so a
-- group of a few dozen events fits in its b-tree page instead of spilling
-- into overflow pages: the file is a third of the size, and a lookup reads
-- one page per group instead of two or three. Groups written before keep
-- their plain form (no packed events start with 0x00), and readers take
-- both. The version itself is the point: a culpritd older than this one
-- refuses the file rather than read compressed groups as garbage.
--
-- For a look with sqlite3: the first group id written since this version.
INSERT INTO store_state (name, value)
  SELECT 'lz4_groups_from_id', COALESCE(MAX(id), 0) + 1 FROM event_groups;
