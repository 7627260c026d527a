-- The department performance query as it was before migration 0006, read
-- with FINAL everywhere: every figure computed from the incidents' own
-- status, updated and deadline and from the audit trail's accepts, at query
-- time. TestDepartmentsAnswerLikeTheBaseTables holds the planner's query to
-- its answers. The test replaces the db and dep placeholders with the
-- database and with nothing or a condition on department_id; the arguments
-- are from, to (Unix seconds) and the department, once for each read.
SELECT department_id, incidents, closed, closed_on_time,
    if(incidents = 0, 0, closed / incidents) AS closure_rate,
    if(closed = 0, 0, closed_on_time / closed) AS on_time_rate,
    returns, reworked, if(incidents = 0, 0, reworked / incidents) AS rework_rate,
    if(empty(accept_q), nan, accept_q[1]) AS accept_p50_s, if(empty(accept_q), nan, accept_q[2]) AS accept_p90_s,
    if(empty(close_q), nan, close_q[1]) AS close_p50_s, if(empty(close_q), nan, close_q[2]) AS close_p90_s
FROM (
    SELECT department_id, sum(n_incidents) AS incidents, sum(n_closed) AS closed, sum(n_on_time) AS closed_on_time,
        sum(n_returns) AS returns, sum(n_reworked) AS reworked,
        argMax(q_close, length(q_close)) AS close_q, argMax(q_accept, length(q_accept)) AS accept_q
    FROM (
        SELECT CAST(department_id AS String) AS department_id, count() AS n_incidents, countIf(status = 'closed') AS n_closed,
            countIf(status = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline)) AS n_on_time,
            toUInt64(0) AS n_returns, toUInt64(0) AS n_reworked,
            quantilesIf(0.5, 0.9)(toUInt32(updated) - toUInt32(reported), status = 'closed') AS q_close, emptyArrayFloat64() AS q_accept
        FROM (SELECT department_id, status, reported, updated, deadline FROM {db}.incidents FINAL
            WHERE reported >= toDateTime(?) AND reported < toDateTime(?){dep})
        GROUP BY department_id
        UNION ALL
        SELECT dep AS department_id, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
            emptyArrayFloat64(), quantiles(0.5, 0.9)(wait)
        FROM (SELECT CAST(department_id AS String) AS dep, toUInt32(time) - toUInt32(entered) AS wait FROM {db}.transitions FINAL
            WHERE time >= toDateTime(?) AND time < toDateTime(?){dep}
                AND from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0)
        GROUP BY department_id
        UNION ALL
        SELECT department_id, toUInt64(0), toUInt64(0), toUInt64(0), countIf(kind = 'return'), uniqExactIf(incident_id, kind = 'rework'),
            emptyArrayFloat64(), emptyArrayFloat64()
        FROM (SELECT department_id, incident_id, kind FROM {db}.transition_marks FINAL
            WHERE time >= toDateTime(?) AND time < toDateTime(?){dep})
        GROUP BY department_id)
    GROUP BY department_id)
ORDER BY department_id
