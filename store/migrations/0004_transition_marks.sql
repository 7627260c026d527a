-- The transitions that department figures count one by one, copied out of
-- the audit trail so that a year of them reads in milliseconds: returns (a
-- department sends the incident back) and rework (the center sends a
-- resolved incident back to its owner). About one transition in thirty.
--
-- department_id is the department the figure belongs to. For a return that
-- is the department that returned it, named in the actor ("dept:ID"): the
-- dispatcher records a return with the center as the new owner. For rework
-- it is the owner, which the transition names. Plain String columns: 18.16
-- does not convert an expression's String into LowCardinality in a view.
CREATE TABLE IF NOT EXISTS {db}.transition_marks
(
    incident_id String,
    version UInt64,
    kind String,
    department_id String,
    time DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (incident_id, version);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.transition_marks_mv TO {db}.transition_marks AS
SELECT incident_id, version,
    if(to_status IN ('reported', 'registered'), 'return', 'rework') AS kind,
    if(to_status IN ('reported', 'registered') AND startsWith(actor, 'dept:'), substring(actor, 6), department_id) AS department_id,
    time
FROM {db}.transitions
WHERE (from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))
    OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'));

-- The transitions stored before this migration.
INSERT INTO {db}.transition_marks (incident_id, version, kind, department_id, time)
SELECT incident_id, version,
    if(to_status IN ('reported', 'registered'), 'return', 'rework'),
    if(to_status IN ('reported', 'registered') AND startsWith(actor, 'dept:'), substring(actor, 6), department_id),
    time
FROM {db}.transitions
WHERE (from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))
    OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'));
