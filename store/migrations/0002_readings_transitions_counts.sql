-- Sensor readings, the incidents' audit trail, and hourly counts.
--
-- Same rules as 0001: runs on 18.16 and current servers, monthly partitions
-- (Retain drops old ones), ReplacingMergeTree wherever a replayed batch could
-- repeat a row.

-- Every sensor reading: the events that carry a value, copied by the view
-- below as they are inserted. Ordered by device and time for a sensor's
-- series; a reading inserted again has the same key and merges away.
CREATE TABLE IF NOT EXISTS {db}.readings
(
    device_id String,
    time DateTime,
    time_ms UInt64,
    id String,
    type LowCardinality(String),
    value Float64,
    unit LowCardinality(String),
    lat Float64,
    lon Float64,
    cell UInt64,
    area_id LowCardinality(String),
    incident_id String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (device_id, time, id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_mv TO {db}.readings AS
SELECT device_id, time, time_ms, id, type, value, unit, lat, lon, cell, area_id, incident_id
FROM {db}.events
WHERE has_value = 1;

-- The audit trail: one row per transition of an incident, who made it and
-- why. (incident_id, version) identifies a transition, so a transition
-- written again collapses into the first. department_id is the department
-- that owned the incident when the transition happened.
CREATE TABLE IF NOT EXISTS {db}.transitions
(
    incident_id String,
    version UInt64,
    from_status LowCardinality(String),
    to_status LowCardinality(String),
    actor String,
    department_id LowCardinality(String),
    reason String,
    time DateTime,
    time_ms UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

-- Events per hour x resolution-7 cell x category x department x source,
-- summed by the view below at insert time. A batch inserted twice is counted
-- twice here: these counts are at-least-once, good for live tiles and
-- capacity planning, and the planner queries, which must be exact, read the
-- deduplicated base tables instead (see store/history).
CREATE TABLE IF NOT EXISTS {db}.event_counts_hourly
(
    hour DateTime,
    cell7 UInt64,
    category LowCardinality(String),
    department_id LowCardinality(String),
    source LowCardinality(String),
    events UInt64
)
ENGINE = SummingMergeTree(events)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, cell7, category, department_id, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_counts_hourly_mv TO {db}.event_counts_hourly AS
SELECT toStartOfHour(time) AS hour, cell7, category, department_id, source, count() AS events
FROM {db}.events
GROUP BY hour, cell7, category, department_id, source;
