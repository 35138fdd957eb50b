-- culprit schema, version 1. See schema/README.md for the design.

-- One row per configured source, matched to the config by name.
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  -- Counters advanced in the same transaction as the events they count.
  lines_parsed INTEGER NOT NULL DEFAULT 0,
  lines_rejected INTEGER NOT NULL DEFAULT 0,
  lines_truncated INTEGER NOT NULL DEFAULT 0,
  truncations INTEGER NOT NULL DEFAULT 0,
  newest_event_us INTEGER
) STRICT;

-- One row per file identity a source has read: the committed position.
-- Events point here (file_id) so evidence can name the file it came from
-- even after rotation.
CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id),
  path TEXT NOT NULL,
  dev INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  fingerprint BLOB NOT NULL,
  -- Byte offset just after the last complete line committed.
  offset INTEGER NOT NULL,
  -- 1 while the file is being followed; 0 once rotated away and read to EOF.
  active INTEGER NOT NULL DEFAULT 1,
  updated_us INTEGER NOT NULL
) STRICT;
CREATE INDEX checkpoints_by_source ON checkpoints (source_id, active);

-- Reset cause categories (RESET_SIGNATURES.md); events.cause and
-- reports.cause hold these codes. Codes are stable: never renumber.
CREATE TABLE causes (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO causes (code, name) VALUES
  (0, 'NONE'),
  (1, 'PROTOCOL_MISMATCH'),
  (2, 'TLS_HANDSHAKE_FAILED'),
  (3, 'IDLE_TIMEOUT'),
  (4, 'REQUEST_TIMEOUT'),
  (5, 'UPSTREAM_FAILURE'),
  (6, 'UPSTREAM_TIMEOUT'),
  (7, 'APP_ERROR'),
  (8, 'REQUEST_REJECTED'),
  (9, 'RATE_LIMITED'),
  (10, 'FIREWALL'),
  (11, 'SERVER_SHUTDOWN'),
  (12, 'RESOURCE_EXHAUSTION'),
  (13, 'CLIENT_ABORT'),
  (14, 'NONE_ON_SERVER');

-- What a log line describes; events.kind holds these codes.
CREATE TABLE event_kinds (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO event_kinds (code, name) VALUES
  (0, 'other'),
  (1, 'request'),      -- an access-log entry: a request or session that ended
  (2, 'error'),        -- a proxy or server error line about one connection
  (3, 'tls'),          -- a TLS handshake outcome
  (4, 'connection'),   -- connection accepted / closed / reset
  (5, 'firewall'),     -- a netfilter LOG line
  (6, 'process'),      -- host-wide: reload, shutdown, worker crash, limits, OOM
  (7, 'app');          -- an application log line

-- Every parsed log line, normalized.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  -- The moment the line stands for, UTC microseconds since the epoch, and
  -- how precise the line's clock is (1000000 = seconds, 1000 = ms, 1 = us).
  ts_us INTEGER NOT NULL,
  ts_precision_us INTEGER NOT NULL,
  source_id INTEGER NOT NULL REFERENCES sources (id),
  file_id INTEGER NOT NULL REFERENCES checkpoints (id),
  -- Byte offset of the line's first byte in that file.
  offset INTEGER NOT NULL,
  kind INTEGER NOT NULL REFERENCES event_kinds (code),
  cause INTEGER NOT NULL DEFAULT 0 REFERENCES causes (code),
  -- Syslog severity 0 (emerg) .. 7 (debug), when the line has a level.
  level INTEGER,
  -- Addresses in the 16-byte canonical key form (IPv4 as ::ffff:a.b.c.d).
  client_ip BLOB,
  client_port INTEGER,
  server_ip BLOB,
  server_port INTEGER,
  status INTEGER,
  conn_id TEXT,
  request_id TEXT,
  duration_us INTEGER,
  bytes_in INTEGER,
  bytes_out INTEGER,
  -- Where in a connection's life the line was written (nginx "while ...").
  phase TEXT,
  -- A short machine-readable detail: termination state, TLS reason, ...
  detail TEXT,
  message TEXT,
  -- Bit 0: the line was longer than the source's cap and was cut.
  flags INTEGER NOT NULL DEFAULT 0,
  -- Other fields the format captured, as a JSON object.
  extra TEXT,
  raw TEXT NOT NULL,
  minute INTEGER NOT NULL GENERATED ALWAYS AS (ts_us / 60000000) VIRTUAL
) STRICT;
-- The one lookup index: by minute, then client address, then time. Keys
-- arrive nearly in order (the minute leads), so inserts stay fast, and both
-- query shapes use it: time range (minute range) and client + time window
-- (minute IN (...) AND client_ip = ? AND ts_us BETWEEN ? AND ?).
CREATE INDEX events_by_minute_client ON events (minute, client_ip, ts_us);

-- Lines that did not parse, kept with the reason.
CREATE TABLE rejected_lines (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id),
  file_id INTEGER NOT NULL REFERENCES checkpoints (id),
  offset INTEGER NOT NULL,
  seen_us INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
) STRICT;

-- Client reset reports and the diagnosis culprit gave.
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  received_us INTEGER NOT NULL,
  -- When the client saw the error, by its own clock, and how unsure it is.
  reported_us INTEGER NOT NULL,
  clock_uncertainty_us INTEGER NOT NULL,
  client_ip BLOB,
  client_port INTEGER,
  server_ip BLOB,
  server_port INTEGER,
  server_name TEXT,
  error TEXT NOT NULL,
  phase TEXT,
  request_id TEXT,
  -- Client labels (app, version) as a JSON object.
  labels TEXT,
  -- The top verdict.
  cause INTEGER NOT NULL REFERENCES causes (code),
  confidence REAL NOT NULL,
  -- The whole diagnosis as JSON.
  diagnosis TEXT NOT NULL
) STRICT;
CREATE INDEX reports_by_client ON reports (client_ip, reported_us);
CREATE INDEX reports_by_time ON reports (reported_us);
