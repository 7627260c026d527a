-- The department performance query computed from the base tables, read with
-- FINAL everywhere: incidents from their own status, every other figure
-- from the audit trail's steps at query time (what was done: the action;
-- the round's start and the on_time flag the dispatcher wrote).
-- TestDepartmentsAnswerLikeTheBaseTables holds the planner's query to its
-- answers. The test replaces the db and dep placeholders with the database
-- and with nothing or a condition on department_id; the arguments are
-- from, to (Unix seconds) and the department, once for each read.
SELECT department_id, incidents, closed, if(incidents = 0, 0, closed / incidents) AS closure_rate,
    rounds_closed, closed_on_time, if(rounds_closed = 0, 0, closed_on_time / rounds_closed) AS on_time_rate,
    accepts, accepted_in_time, if(accepts = 0, nan, accepted_in_time / accepts) AS response_rate,
    reopened_closed, if(rounds_closed = 0, nan, (rounds_closed - least(reopened_closed, rounds_closed)) / rounds_closed) AS resolution_rate,
    rated, satisfied, basically_satisfied, if(rated = 0, nan, (satisfied + basically_satisfied) / rated) AS satisfaction_rate,
    repeats, reopens, returns, reworked, if(incidents = 0, 0, reworked / incidents) AS rework_rate,
    if(empty(accept_q), nan, accept_q[1]) AS accept_p50_s, if(empty(accept_q), nan, accept_q[2]) AS accept_p90_s,
    if(empty(close_q), nan, close_q[1]) AS close_p50_s, if(empty(close_q), nan, close_q[2]) AS close_p90_s
FROM (
    SELECT department_id, sum(n_incidents) AS incidents, sum(n_closed) AS closed, sum(n_rounds) AS rounds_closed,
        sum(n_on_time) AS closed_on_time, sum(n_accepts) AS accepts, sum(n_accepts_in_time) AS accepted_in_time,
        sum(n_reopened_closed) AS reopened_closed, sum(n_rated) AS rated, sum(n_satisfied) AS satisfied,
        sum(n_basically) AS basically_satisfied, sum(n_repeats) AS repeats, sum(n_reopens) AS reopens,
        sum(n_returns) AS returns, sum(n_reworked) AS reworked,
        argMax(q_close, length(q_close)) AS close_q, argMax(q_accept, length(q_accept)) AS accept_q
    FROM (
        SELECT CAST(department_id AS String) AS department_id, count() AS n_incidents, countIf(status = 'closed') AS n_closed,
            toUInt64(0) AS n_rounds, toUInt64(0) AS n_on_time, toUInt64(0) AS n_accepts, toUInt64(0) AS n_accepts_in_time,
            toUInt64(0) AS n_reopened_closed, toUInt64(0) AS n_rated, toUInt64(0) AS n_satisfied, toUInt64(0) AS n_basically,
            toUInt64(0) AS n_repeats, toUInt64(0) AS n_reopens, toUInt64(0) AS n_returns, toUInt64(0) AS n_reworked,
            emptyArrayFloat64() AS q_close, emptyArrayFloat64() AS q_accept
        FROM (SELECT department_id, status FROM {db}.incidents FINAL
            WHERE reported >= toDateTime(?) AND reported < toDateTime(?){dep})
        GROUP BY department_id
        UNION ALL
        SELECT dep, toUInt64(0), toUInt64(0), countIf(act = 'close'), countIf(act = 'close' AND on_time = 1),
            countIf(act = 'accept' AND on_time >= 0), countIf(act = 'accept' AND on_time = 1),
            countIf(act = 'reopen' AND from_status = 'closed'), countIf(act = 'feedback' AND res != ''),
            countIf(act = 'feedback' AND res = 'satisfied'), countIf(act = 'feedback' AND res = 'basically_satisfied'),
            toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
            quantilesIf(0.5, 0.9)(toInt64(toUInt32(time)) - toInt64(toUInt32(started)), act = 'close' AND toUInt32(started) > 0),
            emptyArrayFloat64()
        FROM (SELECT CAST(department_id AS String) AS dep, CAST(from_status AS String) AS from_status, on_time, time, started,
                CAST(action AS String) AS act, if(act = 'feedback', if(CAST(result AS String) != '', CAST(result AS String), reason), '') AS res
            FROM {db}.transitions FINAL
            WHERE time >= toDateTime(?) AND time < toDateTime(?) AND action IN ('accept', 'close', 'reopen', 'feedback'){dep})
        GROUP BY dep
        UNION ALL
        SELECT dep, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
            toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
            emptyArrayFloat64(), quantiles(0.5, 0.9)(wait)
        FROM (SELECT CAST(department_id AS String) AS dep, toUInt32(time) - toUInt32(entered) AS wait FROM {db}.transitions FINAL
            WHERE time >= toDateTime(?) AND time < toDateTime(?){dep}
                AND from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0)
        GROUP BY dep
        UNION ALL
        SELECT department_id, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
            toUInt64(0), toUInt64(0), countIf(kind = 'repeat'), countIf(kind IN ('repeat', 'redo')), countIf(kind = 'return'),
            uniqExactIf(incident_id, kind IN ('rework', 'redo')), emptyArrayFloat64(), emptyArrayFloat64()
        FROM (SELECT department_id, incident_id, kind FROM (
                SELECT incident_id, time, multiIf(action = 'reopen' AND reason = 'repeat', 'repeat', action = 'reopen', 'redo',
                        action = 'return', 'return', action = 'rework', 'rework', '') AS kind,
                    if(action = 'return' AND startsWith(actor, 'dept:'), substring(actor, 6), CAST(department_id AS String)) AS department_id
                FROM {db}.transitions FINAL
                WHERE time >= toDateTime(?) AND time < toDateTime(?))
            WHERE kind != ''{dep})
        GROUP BY department_id)
    GROUP BY department_id)
ORDER BY department_id
