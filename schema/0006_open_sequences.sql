-- culprit schema, version 6: sequences whose groups still overlap.
--
-- Small write transactions share a seq (daemon/store/event_writer.h). Each
-- writes its own event_groups rows, so until the writer rewrites a closed
-- sequence's groups as one transaction's, a client's events may sit in one
-- group per transaction, with overlapping address ranges. A lookup reads
-- such a sequence's groups by range; every other sequence's groups are
-- disjoint, and the one group that can hold a client is found with one seek.
-- A row is written with a sequence's second transaction and deleted with its
-- rewrite; one left by a writer that stopped first only costs its lookups
-- the range read.
CREATE TABLE open_sequences (
  seq INTEGER PRIMARY KEY
) STRICT;
