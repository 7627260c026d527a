-- The figures of each round of an incident's loop, and the three rates of
-- the citizen's side (12345 scoring: response, resolution, satisfaction).
--
-- An incident reopened (a repeat complaint, a dissatisfied callback) and
-- closed again has one row in incidents: its closed_on_time and close_s
-- (0006) describe the latest round only, and change when it closes again.
-- The dispatcher marks each close with whether it was on time, its round
-- and when the round began, and each accept with whether it came within
-- the response time; these columns keep them. -1: unknown (a step stored
-- before this migration) or not an accept or close.
ALTER TABLE {db}.transitions ADD COLUMN on_time Int8 DEFAULT -1;
ALTER TABLE {db}.transitions ADD COLUMN round UInt16;
ALTER TABLE {db}.transitions ADD COLUMN started DateTime('UTC');
-- A callback's result (satisfied, basically_satisfied, dissatisfied); the
-- dispatcher also writes it as the step's reason, which older rows have.
ALTER TABLE {db}.transitions ADD COLUMN result LowCardinality(String) DEFAULT if(action = 'feedback', reason, '');

-- The steps the rates count, copied out of the audit trail like
-- transition_accepts (0006): accepts (on_time: within the response time),
-- closes (on_time: by the deadline; close_s: from the round's start, the
-- report for the first round, -1 unknown), reopenings (reason repeat or
-- dissatisfied; from_closed: the step began on a closed round) and callbacks
-- (result), by kind (the action). A closed round's row never changes: a
-- later round adds rows. (incident_id, version) identifies the step, so one
-- stored again merges away. Plain String columns, as in transition_marks (0004).
CREATE TABLE IF NOT EXISTS {db}.transition_figures
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
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

-- A step written without its action (from a record that had none) counts
-- as an accept or a close by its statuses, as 0007's default infers. (No
-- subquery: 18.16 runs a view's outer query on the inserted block.)
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.transition_figures_mv TO {db}.transition_figures AS
SELECT incident_id, version, multiIf(action != '', CAST(action AS String), to_status = 'closed', 'close', 'accept') AS kind,
    CAST(department_id AS String) AS department_id, time, round, on_time,
    if(kind = 'close' AND toUInt32(started) > 0, toInt64(toUInt32(time)) - toInt64(toUInt32(started)), toInt64(-1)) AS close_s,
    reason, toUInt8(CAST(from_status AS String) = 'closed') AS from_closed,
    if(kind = 'feedback', if(CAST(result AS String) != '', CAST(result AS String), reason), '') AS result
FROM {db}.transitions
WHERE action IN ('accept', 'close', 'reopen', 'feedback')
    OR (action = '' AND ((from_status = 'dispatched' AND to_status = 'accepted') OR (to_status = 'closed' AND from_status NOT IN ('closed', ''))));

-- The steps stored before this migration. An accept was in time when it
-- came within the default response time (2 hours) of the task being
-- handed over; a close takes its incident's flag and time from the report,
-- which is right for an incident closed once (a round closed before a
-- reopening takes the latest round's flag).
INSERT INTO {db}.transition_figures (incident_id, version, kind, department_id, time, round, on_time, close_s, reason, from_closed, result)
SELECT incident_id, version, CAST(action AS String), CAST(department_id AS String), time, toUInt16(0),
    toInt8(if(toUInt32(entered) = 0, -1, toInt64(toUInt32(time)) - toInt64(toUInt32(entered)) <= 7200)), toInt64(-1), reason, toUInt8(0), ''
FROM {db}.transitions
WHERE action = 'accept';

INSERT INTO {db}.transition_figures (incident_id, version, kind, department_id, time, round, on_time, close_s, reason, from_closed, result)
SELECT incident_id, version, 'close', dep, time, toUInt16(0), toInt8(if(i_reported = 0, -1, i_on_time)),
    if(i_reported = 0, toInt64(-1), toInt64(toUInt32(time)) - toInt64(i_reported)), reason, toUInt8(0), ''
FROM
(
    SELECT incident_id, version, CAST(department_id AS String) AS dep, time, reason
    FROM {db}.transitions
    WHERE action = 'close'
) AS t
ANY LEFT JOIN
(
    SELECT id AS incident_id, toUInt32(reported) AS i_reported,
        toUInt8(toUInt32(deadline) = 0 OR updated <= deadline) AS i_on_time
    FROM {db}.incidents FINAL
) AS i USING incident_id;

INSERT INTO {db}.transition_figures (incident_id, version, kind, department_id, time, round, on_time, close_s, reason, from_closed, result)
SELECT incident_id, version, CAST(action AS String), CAST(department_id AS String), time, toUInt16(0), toInt8(-1), toInt64(-1), reason,
    toUInt8(CAST(from_status AS String) = 'closed'), if(action = 'feedback', reason, '')
FROM {db}.transitions
WHERE action IN ('reopen', 'feedback');

-- The rework figure by what was done (0007's action), not by the statuses
-- alone: 0004's view counted a reopening of a resolved task as rework and
-- missed one of a closed task. A reopening for a repeat complaint is a
-- 'repeat', one for a dissatisfied callback a 'redo' (重办); rework is the
-- center's failed verification; returns as before. Steps without an action
-- (stored from records that had none) keep 0004's rule.
DROP TABLE IF EXISTS {db}.transition_marks_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.transition_marks_mv TO {db}.transition_marks AS
SELECT incident_id, version,
    multiIf(action = 'reopen' AND reason = 'repeat', 'repeat', action = 'reopen', 'redo',
        action = 'return' OR (action = '' AND to_status IN ('reported', 'registered')), 'return', 'rework') AS kind,
    if((action = 'return' OR (action = '' AND to_status IN ('reported', 'registered'))) AND startsWith(actor, 'dept:'),
        substring(actor, 6), CAST(department_id AS String)) AS department_id,
    time
FROM {db}.transitions
WHERE action IN ('return', 'rework', 'reopen')
    OR (action = '' AND ((from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))
        OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'))));

-- The reopenings stored before: marked again with their kind (the table
-- keeps the row inserted last for a step).
INSERT INTO {db}.transition_marks (incident_id, version, kind, department_id, time)
SELECT incident_id, version, if(reason = 'repeat', 'repeat', 'redo'), CAST(department_id AS String), time
FROM {db}.transitions
WHERE action = 'reopen';
