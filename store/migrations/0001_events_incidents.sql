-- Events and the latest state of incidents.
--
-- Written for Debian's ClickHouse 18.16 and current servers alike: whole-second
-- DateTime plus a UInt64 millisecond column, monthly partitions (retention drops
-- them), ReplacingMergeTree so that a batch inserted again after a retry
-- collapses into the rows it repeats. {db} is the database's name.

-- One row per event, with the incident it belongs to and where that incident
-- was placed (cells, area, district) and sent (department). The sorting key
-- holds only what an event never changes (its time and id), so an event
-- inserted again, even with a newer incident assignment, replaces the older
-- row; reads that must not see repeats use FINAL.
CREATE TABLE IF NOT EXISTS {db}.events
(
    id String,
    source LowCardinality(String),
    type LowCardinality(String),
    text String,
    lat Float64,
    lon Float64,
    time DateTime,
    time_ms UInt64,
    received DateTime,
    value Float64,
    has_value UInt8,
    unit LowCardinality(String),
    device_id String,
    incident_id String,
    cell UInt64,
    cell7 UInt64,
    cell5 UInt64,
    area_id LowCardinality(String),
    district_id LowCardinality(String),
    category LowCardinality(String),
    department_id LowCardinality(String)
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (time, id);

-- The latest state of each incident: every change inserts a row, merges keep
-- the one with the highest version. Reads take the latest version with FINAL
-- or argMax(..., version), or ORDER BY version DESC LIMIT 1 for one id.
CREATE TABLE IF NOT EXISTS {db}.incidents
(
    id String,
    event_id String,
    source LowCardinality(String),
    type LowCardinality(String),
    text String,
    category LowCardinality(String),
    category_name LowCardinality(String),
    severity UInt8,
    status LowCardinality(String),
    lat Float64,
    lon Float64,
    cell UInt64,
    cell7 UInt64,
    cell5 UInt64,
    area_id LowCardinality(String),
    district_id LowCardinality(String),
    department_id LowCardinality(String),
    rules Array(String),
    reported DateTime,
    updated DateTime,
    deadline DateTime,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(reported)
ORDER BY id;
