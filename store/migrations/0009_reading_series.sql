-- A sensor's series for planners: per-hour aggregates of readings per
-- device, per-minute and per-hour aggregates per area, and each device's
-- latest reading, kept by views as readings are inserted.
--
-- Same rules as 0001: runs on 18.16 and current servers, monthly partitions
-- (Retain drops old ones; RetainReadings drops raw readings and the minute
-- table sooner, so that raw readings are kept for fewer months than the
-- hourly aggregates).
--
-- Each row holds the states of min, max, sum and count of value, merged by
-- AggregatingMergeTree; a query reads them with minMerge, maxMerge, sumMerge
-- and countMerge (avg = sum / count) grouped by its bucket.
--
-- Exactness. The views add up the blocks inserted into readings. A batch
-- inserted again (a replay after a crash) merges away in readings, whose key
-- is (device_id, time, id), but is added a second time here: like
-- event_counts_hourly, these aggregates are at-least-once. min and max are
-- not changed by a repeat; count, sum and avg may be. The planner route
-- (store/history, /api/v1/history/readings) reads the deduplicated raw
-- readings (exact counts) for the ranges it can scan, steps under a minute
-- and when asked exact=1, reads these beyond, and says which answered.
-- readings_latest is exact. Readings stored before this migration are in
-- readings only.
--
-- The views fire on inserts into readings, which the readings path makes
-- straight. 18.16 does not fire a view for the rows another view writes, so
-- there the readings that readings_mv (0002) copies from events reach the
-- aggregates only on current servers (readings_latest gets them from events
-- too).

-- There is no per-minute table per device: a device that reports once a
-- minute or less often would get a row per reading, and such a view cost
-- as much as the four below together (measured on 18.16, 100k-row batches
-- of 10k devices: the reading's own insert 0.6-1.1 us a row, these views
-- 1-2 us more, a per-device minute view alone 1.5-2 us more). A device's
-- minutes are read from readings, which are ordered for it; the area tables
-- and the hourly ones compress many readings into a row.

-- Every device's latest reading of each metric: one row per device and
-- metric after merges, the newest (by last_ms) kept. Exact: a repeat has
-- the same time_ms and value. The live map colours devices by it.
CREATE TABLE IF NOT EXISTS {db}.readings_latest
(
    device_id String,
    type LowCardinality(String),
    last_ms UInt64,
    last_time DateTime,
    last_value Float64,
    last_area String
)
ENGINE = ReplacingMergeTree(last_ms)
ORDER BY (device_id, type);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_latest_mv TO {db}.readings_latest AS
SELECT device_id, type, max(time_ms) AS last_ms, argMax(time, time_ms) AS last_time, argMax(value, time_ms) AS last_value,
    argMax(area_id, time_ms) AS last_area
FROM {db}.readings
GROUP BY device_id, type;

-- The same from the events that carry a value, which readings_mv (0002)
-- copies into readings: 18.16 does not fire the view above for them. A
-- reading seen by both views gives the same row twice, which merges away.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_latest_events_mv TO {db}.readings_latest AS
SELECT device_id, type, max(time_ms) AS last_ms, argMax(time, time_ms) AS last_time, argMax(value, time_ms) AS last_value,
    argMax(area_id, time_ms) AS last_area
FROM {db}.events
WHERE has_value = 1
GROUP BY device_id, type;

-- Per device, metric (type) and area, per hour. Ordered for one device's
-- series.
CREATE TABLE IF NOT EXISTS {db}.readings_hourly
(
    hour DateTime,
    device_id String,
    type LowCardinality(String),
    area_id LowCardinality(String),
    low AggregateFunction(min, Float64),
    high AggregateFunction(max, Float64),
    total AggregateFunction(sum, Float64),
    n AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (device_id, type, hour, area_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_hourly_mv TO {db}.readings_hourly AS
SELECT toStartOfHour(time) AS hour, device_id, type, area_id,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM {db}.readings
GROUP BY hour, device_id, type, area_id;

-- Per area and metric, every device of the area together, per minute:
-- ordered for an area's series of one metric.
CREATE TABLE IF NOT EXISTS {db}.readings_area_minute
(
    minute DateTime,
    area_id LowCardinality(String),
    type LowCardinality(String),
    low AggregateFunction(min, Float64),
    high AggregateFunction(max, Float64),
    total AggregateFunction(sum, Float64),
    n AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (area_id, type, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_area_minute_mv TO {db}.readings_area_minute AS
SELECT toStartOfMinute(time) AS minute, area_id, type,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM {db}.readings
GROUP BY minute, area_id, type;

-- The same per hour.
CREATE TABLE IF NOT EXISTS {db}.readings_area_hourly
(
    hour DateTime,
    area_id LowCardinality(String),
    type LowCardinality(String),
    low AggregateFunction(min, Float64),
    high AggregateFunction(max, Float64),
    total AggregateFunction(sum, Float64),
    n AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (area_id, type, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.readings_area_hourly_mv TO {db}.readings_area_hourly AS
SELECT toStartOfHour(time) AS hour, area_id, type,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM {db}.readings
GROUP BY hour, area_id, type;
