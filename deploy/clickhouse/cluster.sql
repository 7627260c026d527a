-- The cityops schema on a ClickHouse cluster: for every table of
-- store/migrations (0001-0004, with the columns later migrations added), a
-- replicated table NAME_local on every shard and a Distributed table NAME over
-- them, which the roles read and write exactly as they use the single-server
-- tables. Materialized views run on each shard, from the local tables into
-- the local tables.
--
-- Apply it once, before the roles start, with any clickhouse-client of the
-- cluster (deploy/README.md, "ClickHouse cluster"):
--
--   clickhouse-client --host ch-0 --multiquery < deploy/clickhouse/cluster.sql
--
-- It needs ClickHouse Keeper (or ZooKeeper) and the macros {cluster}, {shard}
-- and {replica} in each server's config, as deploy/clickhouse/macros.xml
-- shows. Then run the roles with clickhouse.database: cityops and without
-- `cityops migrate` (this file is the cluster's migration). Set
-- insert_distributed_sync=1 in the writers' profile so that an insert returns
-- only when every shard has its rows: the store sink commits Kafka offsets
-- after the insert returns.
--
-- Rows that must collapse (a batch inserted again after a retry) have the
-- same sharding key, so they land on the same shard, where the
-- ReplacingMergeTree merges them and FINAL sees one.

CREATE DATABASE IF NOT EXISTS cityops ON CLUSTER '{cluster}';

CREATE TABLE IF NOT EXISTS cityops.events_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/events', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (time, id);

CREATE TABLE IF NOT EXISTS cityops.events ON CLUSTER '{cluster}' AS cityops.events_local
ENGINE = Distributed('{cluster}', cityops, events_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.incidents_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/incidents', '{replica}', version)
PARTITION BY toYYYYMM(reported)
ORDER BY id;

CREATE TABLE IF NOT EXISTS cityops.incidents ON CLUSTER '{cluster}' AS cityops.incidents_local
ENGINE = Distributed('{cluster}', cityops, incidents_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.readings_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/readings', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (device_id, time, id);

CREATE TABLE IF NOT EXISTS cityops.readings ON CLUSTER '{cluster}' AS cityops.readings_local
ENGINE = Distributed('{cluster}', cityops, readings_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.transitions_local ON CLUSTER '{cluster}'
(
    incident_id String,
    version UInt64,
    from_status LowCardinality(String),
    to_status LowCardinality(String),
    actor String,
    department_id LowCardinality(String),
    reason String,
    time DateTime,
    time_ms UInt64,
    entered DateTime
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/transitions', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE TABLE IF NOT EXISTS cityops.transitions ON CLUSTER '{cluster}' AS cityops.transitions_local
ENGINE = Distributed('{cluster}', cityops, transitions_local, sipHash64(incident_id));

CREATE TABLE IF NOT EXISTS cityops.event_counts_hourly_local ON CLUSTER '{cluster}'
(
    hour DateTime,
    cell7 UInt64,
    category LowCardinality(String),
    department_id LowCardinality(String),
    source LowCardinality(String),
    events UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/cityops/event_counts_hourly', '{replica}', events)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, cell7, category, department_id, source);

CREATE TABLE IF NOT EXISTS cityops.event_counts_hourly ON CLUSTER '{cluster}' AS cityops.event_counts_hourly_local
ENGINE = Distributed('{cluster}', cityops, event_counts_hourly_local, rand());

CREATE TABLE IF NOT EXISTS cityops.transition_marks_local ON CLUSTER '{cluster}'
(
    incident_id String,
    version UInt64,
    kind String,
    department_id String,
    time DateTime
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/transition_marks', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE TABLE IF NOT EXISTS cityops.transition_marks ON CLUSTER '{cluster}' AS cityops.transition_marks_local
ENGINE = Distributed('{cluster}', cityops, transition_marks_local, sipHash64(incident_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_mv ON CLUSTER '{cluster}' TO cityops.readings_local AS
SELECT device_id, time, time_ms, id, type, value, unit, lat, lon, cell, area_id, incident_id
FROM cityops.events_local
WHERE has_value = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.event_counts_hourly_mv ON CLUSTER '{cluster}' TO cityops.event_counts_hourly_local AS
SELECT toStartOfHour(time) AS hour, cell7, category, department_id, source, count() AS events
FROM cityops.events_local
GROUP BY hour, cell7, category, department_id, source;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.transition_marks_mv ON CLUSTER '{cluster}' TO cityops.transition_marks_local AS
SELECT incident_id, version,
    if(to_status IN ('reported', 'registered'), 'return', 'rework') AS kind,
    if(to_status IN ('reported', 'registered') AND startsWith(actor, 'dept:'), substring(actor, 6), department_id) AS department_id,
    time
FROM cityops.transitions_local
WHERE (from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))
    OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'));
