-- culprit schema, version 2: lookups of the events that indicate a reset
-- cause (a few percent of all events) without reading every event of the
-- window. The correlator asks for host-wide events, request-id chains and a
-- client's recent resets; with only the (minute, client_ip, ts_us) index,
-- those read every row of each minute they touch.

CREATE INDEX events_with_cause_by_time ON events (ts_us) WHERE cause <> 0;
CREATE INDEX events_with_cause_by_client ON events (client_ip, ts_us) WHERE cause <> 0;
CREATE INDEX events_with_cause_by_kind ON events (kind, ts_us) WHERE cause <> 0;
