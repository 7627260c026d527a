-- What the processor merged into an incident: hotline reports of the same
-- category nearby (the first report counts, so a single report is 1; 0 for an
-- incident no report started or joined), the first of their ids, the sensor
-- alarms fused with it, and the time of its latest signal (the epoch when
-- none). Written from every change that carries the incident's whole state.
ALTER TABLE {db}.incidents ADD COLUMN report_count UInt32 AFTER version;
ALTER TABLE {db}.incidents ADD COLUMN report_ids Array(String) AFTER report_count;
ALTER TABLE {db}.incidents ADD COLUMN signals Array(String) AFTER report_ids;
ALTER TABLE {db}.incidents ADD COLUMN last_signal DateTime AFTER signals;
