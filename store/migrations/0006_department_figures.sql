-- What the department figures need, computed once at insert time instead of
-- at every query: a year of department performance read a third of the audit
-- trail and every incident's three times, and compared LowCardinality
-- strings row by row.
--
-- The incidents' closing figures, as MATERIALIZED columns: ClickHouse fills
-- them from the row at insert (the sink's column list need not name them),
-- computes them on read in parts written before this migration, and writes
-- them down when such a part merges. closed and closed_on_time are 1 or 0;
-- close_s is the time from report to the latest update of a closed incident
-- (0 while open), Int64 as toUInt32(updated) - toUInt32(reported) is, so
-- that quantiles of it answer exactly what they answered of the expression.
ALTER TABLE {db}.incidents ADD COLUMN closed UInt8 MATERIALIZED status = 'closed';
ALTER TABLE {db}.incidents ADD COLUMN closed_on_time UInt8 MATERIALIZED status = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline);
ALTER TABLE {db}.incidents ADD COLUMN close_s Int64 MATERIALIZED if(status = 'closed', toInt64(toUInt32(updated)) - toInt64(toUInt32(reported)), toInt64(0));

-- Every accept (dispatched -> accepted) with the time the incident waited
-- for it (time - entered), copied out of the audit trail like
-- transition_marks (0004): about one transition in two or three, in three
-- narrow columns beside the key. Transitions whose entered is unknown (the
-- epoch) are left out, as the query always left them. (incident_id, version)
-- identifies the transition, so one stored again merges away.
CREATE TABLE IF NOT EXISTS {db}.transition_accepts
(
    incident_id String,
    version UInt64,
    department_id LowCardinality(String),
    time DateTime,
    wait_s Int64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.transition_accepts_mv TO {db}.transition_accepts AS
SELECT incident_id, version, department_id, time, toInt64(toUInt32(time)) - toInt64(toUInt32(entered)) AS wait_s
FROM {db}.transitions
WHERE from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0;

-- The accepts stored before this migration.
INSERT INTO {db}.transition_accepts (incident_id, version, department_id, time, wait_s)
SELECT incident_id, version, department_id, time, toInt64(toUInt32(time)) - toInt64(toUInt32(entered))
FROM {db}.transitions
WHERE from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0;
