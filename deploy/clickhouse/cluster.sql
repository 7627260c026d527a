-- The cityops schema on a ClickHouse cluster: for every table of
-- store/migrations (all of them, 0001 on: the columns each later migration
-- added, changed or computes are written out in the CREATE), a
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
-- The DateTime columns of the sorting and partition keys (events.time,
-- incidents.reported, transitions.time, ...) carry no time zone, as in the
-- migrations, which must also run on 18.16: run the servers in UTC
-- (<timezone>UTC</timezone>), as deploy/local/clickhouse.sh does. The
-- MATERIALIZED columns of incidents are computed on each shard at insert,
-- and the ALIAS columns (cell_hex, ...) where they are read.
--
-- Rows that must collapse (a batch inserted again after a retry) have the
-- same sharding key, so they land on the same shard, where the
-- ReplacingMergeTree merges them and FINAL sees one.
-- Tables the views fill lie where their source rows lie; where that spreads
-- what a reader sees as one row over the shards (readings_latest, the
-- aggregates of 0009), the comment above the table says how to read it.

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
    received DateTime('UTC'),
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
    department_id LowCardinality(String),
    cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', ''),
    cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', ''),
    cell5_hex String ALIAS replaceRegexpOne(lower(hex(cell5)), '^0+', '')
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
    updated DateTime('UTC'),
    deadline DateTime('UTC'),
    version UInt64,
    report_count UInt32,
    report_ids Array(String),
    signals Array(String),
    last_signal DateTime('UTC'),
    closed UInt8 MATERIALIZED status = 'closed',
    closed_on_time UInt8 MATERIALIZED status = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline),
    close_s Int64 MATERIALIZED if(status = 'closed', toInt64(toUInt32(updated)) - toInt64(toUInt32(reported)), toInt64(0)),
    cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', ''),
    cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', ''),
    cell5_hex String ALIAS replaceRegexpOne(lower(hex(cell5)), '^0+', '')
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
    incident_id String,
    cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', '')
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
    action LowCardinality(String) DEFAULT multiIf(
        from_status = '', 'adopt',
        from_status = to_status, '',
        from_status = 'reported' AND to_status = 'registered', 'register',
        to_status IN ('reported', 'registered'), 'return',
        to_status = 'cancelled', 'cancel',
        from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'), 'rework',
        to_status = 'dispatched', 'dispatch',
        to_status = 'accepted', 'accept',
        to_status = 'in_progress', 'start',
        to_status = 'resolved', 'resolve',
        to_status = 'verified', 'verify',
        to_status = 'closed', 'close',
        ''),
    actor String,
    department_id LowCardinality(String),
    reason String,
    note String,
    time DateTime,
    time_ms UInt64,
    entered DateTime('UTC'),
    on_time Int8 DEFAULT -1,
    round UInt16,
    started DateTime('UTC'),
    result LowCardinality(String) DEFAULT if(action = 'feedback', reason, '')
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
    events UInt64,
    cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', '')
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

-- Every accept with the time the incident waited for it (0006).
CREATE TABLE IF NOT EXISTS cityops.transition_accepts_local ON CLUSTER '{cluster}'
(
    incident_id String,
    version UInt64,
    department_id LowCardinality(String),
    time DateTime,
    wait_s Int64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/transition_accepts', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE TABLE IF NOT EXISTS cityops.transition_accepts ON CLUSTER '{cluster}' AS cityops.transition_accepts_local
ENGINE = Distributed('{cluster}', cityops, transition_accepts_local, sipHash64(incident_id));

-- The names behind the codes (0007), which every store replica writes from
-- the pack: the same id always lands on the same shard, where the
-- ReplacingMergeTree keeps its latest version.
CREATE TABLE IF NOT EXISTS cityops.departments_local ON CLUSTER '{cluster}'
(
    id String,
    name String,
    name_en String,
    retired UInt8,
    version DateTime('UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/departments', '{replica}', version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS cityops.departments ON CLUSTER '{cluster}' AS cityops.departments_local
ENGINE = Distributed('{cluster}', cityops, departments_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.areas_local ON CLUSTER '{cluster}'
(
    id String,
    name String,
    name_en String,
    level LowCardinality(String),
    parent_id String,
    retired UInt8,
    version DateTime('UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/areas', '{replica}', version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS cityops.areas ON CLUSTER '{cluster}' AS cityops.areas_local
ENGINE = Distributed('{cluster}', cityops, areas_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.categories_local ON CLUSTER '{cluster}'
(
    code String,
    kind LowCardinality(String),
    name String,
    name_en String,
    deadline_hours UInt32,
    severity UInt8,
    service_code String,
    retired UInt8,
    version DateTime('UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/categories', '{replica}', version)
ORDER BY code;

CREATE TABLE IF NOT EXISTS cityops.categories ON CLUSTER '{cluster}' AS cityops.categories_local
ENGINE = Distributed('{cluster}', cityops, categories_local, sipHash64(code));

-- A sensor's series (0009). The views below fill these tables on each shard
-- from that shard's readings_local (and events_local), so a row lands where
-- the reading it comes from landed: readings and events are sharded by the
-- reading's id, and a device's readings are spread over every shard. A
-- reading inserted again (a retried batch) has the same id, so its repeat
-- reaches the same shard and, in readings_latest, merges with the first
-- copy there; the aggregates add it again, as on one server (0009,
-- "Exactness"). No column of these tables says where a row is, so the
-- Distributed tables shard by rand(), like event_counts_hourly: only the
-- views write them, and a key such as sipHash64(device_id) would tell
-- optimize_skip_unused_shards to skip the shards that hold a device's rows.
--
-- readings_latest: each shard keeps, after merges, the newest reading of a
-- device and metric among the readings it holds, so the Distributed table
-- has up to one row per shard for a device; FINAL on it collapses only
-- within a shard. Read it with max(last_ms) and argMax(..., last_ms) grouped
-- by (device_id, type), as store/history does, never with FINAL alone.
CREATE TABLE IF NOT EXISTS cityops.readings_latest_local ON CLUSTER '{cluster}'
(
    device_id String,
    type LowCardinality(String),
    last_ms UInt64,
    last_time DateTime,
    last_value Float64,
    last_area String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/readings_latest', '{replica}', last_ms)
ORDER BY (device_id, type);

CREATE TABLE IF NOT EXISTS cityops.readings_latest ON CLUSTER '{cluster}' AS cityops.readings_latest_local
ENGINE = Distributed('{cluster}', cityops, readings_latest_local, rand());

-- The aggregates hold states (AggregateFunction columns): a bucket of a
-- device or an area has a row on every shard that took some of its
-- readings, and a query through the Distributed table merges them with
-- minMerge, maxMerge, sumMerge and countMerge grouped by its bucket, each
-- shard merging its own before the initiator merges the shards'.
CREATE TABLE IF NOT EXISTS cityops.readings_hourly_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/cityops/readings_hourly', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (device_id, type, hour, area_id);

CREATE TABLE IF NOT EXISTS cityops.readings_hourly ON CLUSTER '{cluster}' AS cityops.readings_hourly_local
ENGINE = Distributed('{cluster}', cityops, readings_hourly_local, rand());

CREATE TABLE IF NOT EXISTS cityops.readings_area_minute_local ON CLUSTER '{cluster}'
(
    minute DateTime,
    area_id LowCardinality(String),
    type LowCardinality(String),
    low AggregateFunction(min, Float64),
    high AggregateFunction(max, Float64),
    total AggregateFunction(sum, Float64),
    n AggregateFunction(count)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/cityops/readings_area_minute', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (area_id, type, minute);

CREATE TABLE IF NOT EXISTS cityops.readings_area_minute ON CLUSTER '{cluster}' AS cityops.readings_area_minute_local
ENGINE = Distributed('{cluster}', cityops, readings_area_minute_local, rand());

CREATE TABLE IF NOT EXISTS cityops.readings_area_hourly_local ON CLUSTER '{cluster}'
(
    hour DateTime,
    area_id LowCardinality(String),
    type LowCardinality(String),
    low AggregateFunction(min, Float64),
    high AggregateFunction(max, Float64),
    total AggregateFunction(sum, Float64),
    n AggregateFunction(count)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/cityops/readings_area_hourly', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (area_id, type, hour);

CREATE TABLE IF NOT EXISTS cityops.readings_area_hourly ON CLUSTER '{cluster}' AS cityops.readings_area_hourly_local
ENGINE = Distributed('{cluster}', cityops, readings_area_hourly_local, rand());

-- The figures of each round (0010), copied by the view below from
-- transitions_local on the shard that holds the step, which transitions
-- shards by sipHash64(incident_id): a step stored again (a retried batch)
-- reaches the same shard, where the ReplacingMergeTree merges the two rows
-- on (incident_id, version), so the Distributed table shards by the same
-- key, as transition_marks and transition_accepts do. The backfill of 0010
-- (the steps stored before it) is not part of this file: it creates the
-- tables before the roles write any step.
CREATE TABLE IF NOT EXISTS cityops.transition_figures_local ON CLUSTER '{cluster}'
(
    incident_id String,
    version UInt64,
    kind String,
    department_id String,
    time DateTime,
    round UInt16,
    on_time Int8,
    close_s Int64,
    reason String,
    from_closed UInt8,
    result String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/transition_figures', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE TABLE IF NOT EXISTS cityops.transition_figures ON CLUSTER '{cluster}' AS cityops.transition_figures_local
ENGINE = Distributed('{cluster}', cityops, transition_figures_local, sipHash64(incident_id));

-- The Open311 requests (0011), copied by the views below from events_local
-- on the shard that holds the event, which events shards by sipHash64(id):
-- an event inserted again (a retried batch, or a later assignment to
-- another incident) reaches the same shard, where the ReplacingMergeTree
-- replaces its row and FINAL on the Distributed table (applied on each
-- shard) sees one. The Distributed tables shard by the same sipHash64(id),
-- the key that says where the views put each row; for the tokens too, whose
-- rows lie by the request's id, not by token, so a token lookup asks every
-- shard. The backfill of 0011 is not part of this file: it creates the
-- tables before the roles write any event.
CREATE TABLE IF NOT EXISTS cityops.open311_requests_local ON CLUSTER '{cluster}'
(
    id String,
    service_code LowCardinality(String),
    time DateTime,
    time_ms UInt64,
    text String,
    lat Float64,
    lon Float64,
    incident_id String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/open311_requests', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (time, service_code, id);

CREATE TABLE IF NOT EXISTS cityops.open311_requests ON CLUSTER '{cluster}' AS cityops.open311_requests_local
ENGINE = Distributed('{cluster}', cityops, open311_requests_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.open311_request_ids_local ON CLUSTER '{cluster}'
(
    id String,
    service_code LowCardinality(String),
    time DateTime,
    time_ms UInt64,
    text String,
    lat Float64,
    lon Float64,
    incident_id String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/open311_request_ids', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY id;

CREATE TABLE IF NOT EXISTS cityops.open311_request_ids ON CLUSTER '{cluster}' AS cityops.open311_request_ids_local
ENGINE = Distributed('{cluster}', cityops, open311_request_ids_local, sipHash64(id));

CREATE TABLE IF NOT EXISTS cityops.open311_request_tokens_local ON CLUSTER '{cluster}'
(
    token String,
    id String,
    time DateTime
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cityops/open311_request_tokens', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY token;

CREATE TABLE IF NOT EXISTS cityops.open311_request_tokens ON CLUSTER '{cluster}' AS cityops.open311_request_tokens_local
ENGINE = Distributed('{cluster}', cityops, open311_request_tokens_local, sipHash64(id));

-- No readings_mv (0002's view from events, which 0008 dropped): readings
-- are written once, by the readings path, straight into readings.

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.event_counts_hourly_mv ON CLUSTER '{cluster}' TO cityops.event_counts_hourly_local AS
SELECT toStartOfHour(time) AS hour, cell7, category, department_id, source, count() AS events
FROM cityops.events_local
GROUP BY hour, cell7, category, department_id, source;

-- transition_marks_mv as 0010 rebuilt it: the kind by the step's action
-- (repeat, redo, return, rework), 0004's rule for steps without one. A
-- cluster created with 0004's view drops it ON CLUSTER and creates this one.
CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.transition_marks_mv ON CLUSTER '{cluster}' TO cityops.transition_marks_local AS
SELECT incident_id, version,
    multiIf(action = 'reopen' AND reason = 'repeat', 'repeat', action = 'reopen', 'redo',
        action = 'return' OR (action = '' AND to_status IN ('reported', 'registered')), 'return', 'rework') AS kind,
    if((action = 'return' OR (action = '' AND to_status IN ('reported', 'registered'))) AND startsWith(actor, 'dept:'),
        substring(actor, 6), CAST(department_id AS String)) AS department_id,
    time
FROM cityops.transitions_local
WHERE action IN ('return', 'rework', 'reopen')
    OR (action = '' AND ((from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))
        OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'))));

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.transition_accepts_mv ON CLUSTER '{cluster}' TO cityops.transition_accepts_local AS
SELECT incident_id, version, department_id, time, toInt64(toUInt32(time)) - toInt64(toUInt32(entered)) AS wait_s
FROM cityops.transitions_local
WHERE from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0;

-- 0009: readings_latest from both readings_local and events_local, as on
-- one server: the readings path's readings, and the events that still
-- carry a value (a sensor event posted to the events API).
CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_latest_mv ON CLUSTER '{cluster}' TO cityops.readings_latest_local AS
SELECT device_id, type, max(time_ms) AS last_ms, argMax(time, time_ms) AS last_time, argMax(value, time_ms) AS last_value,
    argMax(area_id, time_ms) AS last_area
FROM cityops.readings_local
GROUP BY device_id, type;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_latest_events_mv ON CLUSTER '{cluster}' TO cityops.readings_latest_local AS
SELECT device_id, type, max(time_ms) AS last_ms, argMax(time, time_ms) AS last_time, argMax(value, time_ms) AS last_value,
    argMax(area_id, time_ms) AS last_area
FROM cityops.events_local
WHERE has_value = 1
GROUP BY device_id, type;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_hourly_mv ON CLUSTER '{cluster}' TO cityops.readings_hourly_local AS
SELECT toStartOfHour(time) AS hour, device_id, type, area_id,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM cityops.readings_local
GROUP BY hour, device_id, type, area_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_area_minute_mv ON CLUSTER '{cluster}' TO cityops.readings_area_minute_local AS
SELECT toStartOfMinute(time) AS minute, area_id, type,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM cityops.readings_local
GROUP BY minute, area_id, type;

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.readings_area_hourly_mv ON CLUSTER '{cluster}' TO cityops.readings_area_hourly_local AS
SELECT toStartOfHour(time) AS hour, area_id, type,
    minState(value) AS low, maxState(value) AS high, sumState(value) AS total, countState() AS n
FROM cityops.readings_local
GROUP BY hour, area_id, type;

-- 0010: each step's figures on the shard of its incident.
CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.transition_figures_mv ON CLUSTER '{cluster}' TO cityops.transition_figures_local AS
SELECT incident_id, version, multiIf(action != '', CAST(action AS String), to_status = 'closed', 'close', 'accept') AS kind,
    CAST(department_id AS String) AS department_id, time, round, on_time,
    if(kind = 'close' AND toUInt32(started) > 0, toInt64(toUInt32(time)) - toInt64(toUInt32(started)), toInt64(-1)) AS close_s,
    reason, toUInt8(CAST(from_status AS String) = 'closed') AS from_closed,
    if(kind = 'feedback', if(CAST(result AS String) != '', CAST(result AS String), reason), '') AS result
FROM cityops.transitions_local
WHERE action IN ('accept', 'close', 'reopen', 'feedback')
    OR (action = '' AND ((from_status = 'dispatched' AND to_status = 'accepted') OR (to_status = 'closed' AND from_status NOT IN ('closed', ''))));

-- 0011: each request copied on the shard of its event.
CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.open311_requests_mv ON CLUSTER '{cluster}' TO cityops.open311_requests_local AS
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM cityops.events_local
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.open311_request_ids_mv ON CLUSTER '{cluster}' TO cityops.open311_request_ids_local AS
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM cityops.events_local
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

CREATE MATERIALIZED VIEW IF NOT EXISTS cityops.open311_request_tokens_mv ON CLUSTER '{cluster}' TO cityops.open311_request_tokens_local AS
SELECT concat('tok-', lower(hex(substring(SHA256(concat('token:', id)), 1, 10)))) AS token, id, time
FROM cityops.events_local
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

-- The planners' views (0007), over the Distributed tables: each shard
-- aggregates the transitions of its incidents (they are sharded by
-- incident), and the join runs where the query was sent.
CREATE VIEW IF NOT EXISTS cityops.incident_steps ON CLUSTER '{cluster}' AS
SELECT
    incident_id,
    toTimeZone(min(time), 'UTC') AS first_step_at,
    toTimeZone(minIf(time, to_status = 'dispatched'), 'UTC') AS dispatched_at,
    toTimeZone(minIf(time, to_status = 'accepted'), 'UTC') AS accepted_at,
    toTimeZone(minIf(time, from_status = 'dispatched' AND to_status != 'dispatched'), 'UTC') AS first_response_at,
    toTimeZone(maxIf(time, to_status = 'resolved' AND from_status != 'resolved'), 'UTC') AS resolved_at,
    toTimeZone(maxIf(time, to_status = 'closed' AND from_status != 'closed'), 'UTC') AS closed_at,
    uniqExactIf(version, from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered')) AS returns,
    uniqExactIf(version, action = 'escalate') AS escalations,
    max(version) AS last_version
FROM cityops.transitions
GROUP BY incident_id;

CREATE VIEW IF NOT EXISTS cityops.incident_times ON CLUSTER '{cluster}' AS
SELECT
    id, category, department_id, area_id, district_id, source, status, severity, cell_hex, cell7_hex,
    reported_at, dispatched_at, accepted_at, first_response_at, resolved_at, closed_at, deadline_at, updated_at,
    if(toUInt32(dispatched_at) = 0, NULL, toInt64(toUInt32(dispatched_at)) - toInt64(toUInt32(reported_at))) AS to_dispatch_s,
    if(toUInt32(accepted_at) = 0 OR toUInt32(dispatched_at) = 0, NULL, toInt64(toUInt32(accepted_at)) - toInt64(toUInt32(dispatched_at))) AS to_accept_s,
    if(toUInt32(first_response_at) = 0, NULL, toInt64(toUInt32(first_response_at)) - toInt64(toUInt32(reported_at))) AS to_first_response_s,
    if(toUInt32(resolved_at) = 0, NULL, toInt64(toUInt32(resolved_at)) - toInt64(toUInt32(reported_at))) AS to_resolve_s,
    if(status != 'closed', NULL, toInt64(toUInt32(if(toUInt32(closed_at) = 0, updated_at, closed_at))) - toInt64(toUInt32(reported_at))) AS to_close_s,
    is_closed, closed_on_time, returns, escalations
FROM
(
    SELECT id, category, department_id, area_id, district_id, source, status, severity, cell_hex, cell7_hex,
        toTimeZone(reported, 'UTC') AS reported_at, toTimeZone(deadline, 'UTC') AS deadline_at,
        toTimeZone(updated, 'UTC') AS updated_at, CAST(status AS String) = 'closed' AS is_closed,
        CAST(status AS String) = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline) AS closed_on_time
    FROM cityops.incidents FINAL
) AS i
ANY LEFT JOIN
(
    SELECT incident_id AS id, dispatched_at, accepted_at, first_response_at, resolved_at, closed_at, returns, escalations
    FROM cityops.incident_steps
) AS s USING id;
