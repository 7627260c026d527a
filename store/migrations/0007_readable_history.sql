-- History that a planner can read with plain SQL: what was done at each
-- transition and the note left with it, times that say they are UTC, the
-- names of departments, areas and categories beside their codes, H3 cells in
-- the form the API and the live map show, and each incident's steps with
-- their times and durations in one view.
--
-- Runs on 18.16 and current servers. 18.16 cannot alter a column of a
-- sorting or partition key ("trying to ALTER key column"), so only the other
-- DateTime columns are declared 'UTC' here; the key columns (events.time,
-- incidents.reported, transitions.time, readings.time, ...) keep the
-- server's time zone, which deploy/local/clickhouse.sh and the manifests set
-- to UTC, and the views below convert them explicitly. Changing a DateTime's
-- time zone rewrites no value: 2M transitions took 0.1 s on 18.16.

-- What the dispatcher did at each transition (accept, return, escalate,
-- note, ...) and the free-text note the actor left with it. The sink writes
-- both from the transitions topic. For transitions stored before this
-- migration, which have no action, the DEFAULT infers it from the statuses
-- (computed on read, written down when their parts merge); a step that kept
-- the status (a note, an escalation, an extension) stays ''. No note is
-- known for them.
ALTER TABLE {db}.transitions ADD COLUMN action LowCardinality(String) DEFAULT multiIf(
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
    '') AFTER to_status;
ALTER TABLE {db}.transitions ADD COLUMN note String AFTER reason;

-- The DateTime columns outside the keys, in UTC whatever the server's zone.
ALTER TABLE {db}.transitions MODIFY COLUMN entered DateTime('UTC');
ALTER TABLE {db}.events MODIFY COLUMN received DateTime('UTC');
ALTER TABLE {db}.incidents MODIFY COLUMN updated DateTime('UTC');
ALTER TABLE {db}.incidents MODIFY COLUMN deadline DateTime('UTC');
ALTER TABLE {db}.incidents MODIFY COLUMN last_signal DateTime('UTC');
ALTER TABLE {db}.schema_migrations MODIFY COLUMN applied DateTime('UTC');

-- The H3 cells as the API, the live map and h3-js write them: lower-case
-- hexadecimal without leading zeros (8a2a1072b59ffff), the empty string for
-- no cell (0). hex() alone gives upper case with a leading 0. ALIAS columns
-- are computed on read, take no space, and SELECT * leaves them out.
ALTER TABLE {db}.events ADD COLUMN cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', '');
ALTER TABLE {db}.events ADD COLUMN cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', '');
ALTER TABLE {db}.events ADD COLUMN cell5_hex String ALIAS replaceRegexpOne(lower(hex(cell5)), '^0+', '');
ALTER TABLE {db}.incidents ADD COLUMN cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', '');
ALTER TABLE {db}.incidents ADD COLUMN cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', '');
ALTER TABLE {db}.incidents ADD COLUMN cell5_hex String ALIAS replaceRegexpOne(lower(hex(cell5)), '^0+', '');
ALTER TABLE {db}.readings ADD COLUMN cell_hex String ALIAS replaceRegexpOne(lower(hex(cell)), '^0+', '');
ALTER TABLE {db}.event_counts_hourly ADD COLUMN cell7_hex String ALIAS replaceRegexpOne(lower(hex(cell7)), '^0+', '');

-- The names behind the codes, copied from the city pack by the store role at
-- start and whenever the pack changes (Store.SyncNames). Each sync writes
-- every entry with its time as version; read with FINAL for the latest. An
-- entry the pack no longer has stays, with retired = 1, so that old
-- incidents keep their names.
CREATE TABLE IF NOT EXISTS {db}.departments
(
    id String,
    name String,
    name_en String,
    retired UInt8,
    version DateTime('UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS {db}.areas
(
    id String,
    name String,
    name_en String,
    level LowCardinality(String),
    parent_id String,
    retired UInt8,
    version DateTime('UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS {db}.categories
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
ENGINE = ReplacingMergeTree(version)
ORDER BY code;

-- When each incident reached each step, from its audit trail: the first
-- dispatch, the first accept, the first response (the first time it left
-- dispatched: accepted, returned or resolved), the last time it entered
-- resolved and closed (a note on a resolved incident is no new resolve), all
-- in UTC; the zero time for a step not reached (toUInt32(x) = 0; 18.16
-- prints it 0000-00-00 00:00:00, current servers 1970-01-01 00:00:00).
-- Aggregates of min and max need no FINAL: a transition stored twice gives
-- the same answer.
CREATE VIEW IF NOT EXISTS {db}.incident_steps AS
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
FROM {db}.transitions
GROUP BY incident_id;

-- Every incident in its latest state with the times of its steps and the
-- durations between them in seconds (NULL while a step is not reached, so
-- that avg and quantile skip it). One JOIN, aliased subqueries: the form that
-- both 18.16 and current servers take.
CREATE VIEW IF NOT EXISTS {db}.incident_times AS
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
    FROM {db}.incidents FINAL
) AS i
ANY LEFT JOIN
(
    SELECT incident_id AS id, dispatched_at, accepted_at, first_response_at, resolved_at, closed_at, returns, escalations
    FROM {db}.incident_steps
) AS s USING id;
