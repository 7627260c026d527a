-- Example questions a planner asks of the history, in SQL that runs on
-- Debian's ClickHouse 18.16 and on current servers alike (docs/planners.md
-- explains the rules: FINAL on the Replacing tables, one JOIN per SELECT
-- with aliased subqueries, times written with 'UTC'). The database is
-- cityops; the month is March 2026, which the tests fill with a small city
-- (store/readable_test.go). Change the dates, or write
-- toStartOfMonth(now() - INTERVAL 1 MONTH) for "last month".
-- Each statement ends with ';' at the end of a line.

-- 1. Overdue by department last month: incidents reported in the month that
-- closed after their deadline or are still open past it, with the
-- department's name.
SELECT dept, name AS department, incidents, overdue, round(overdue / incidents, 3) AS overdue_rate
FROM
(
    SELECT CAST(department_id AS String) AS dept, count() AS incidents,
        countIf(toUInt32(deadline_at) > 0 AND ((is_closed = 1 AND closed_on_time = 0) OR (is_closed = 0 AND deadline_at < now()))) AS overdue
    FROM cityops.incident_times
    WHERE reported_at >= toDateTime('2026-03-01 00:00:00', 'UTC') AND reported_at < toDateTime('2026-04-01 00:00:00', 'UTC')
    GROUP BY dept
) AS figures
ANY LEFT JOIN
(
    SELECT id AS dept, name FROM cityops.departments FINAL
) AS names USING dept
ORDER BY overdue DESC, dept;

-- 2. Median and 90th percentile time to close, in hours, by category.
-- to_close_s is NULL while an incident is open, so the quantiles skip it.
SELECT code, name AS category, closed, round(p50_s / 3600, 1) AS p50_hours, round(p90_s / 3600, 1) AS p90_hours
FROM
(
    SELECT CAST(category AS String) AS code, count(to_close_s) AS closed,
        quantile(0.5)(to_close_s) AS p50_s, quantile(0.9)(to_close_s) AS p90_s
    FROM cityops.incident_times
    WHERE reported_at >= toDateTime('2026-03-01 00:00:00', 'UTC') AND reported_at < toDateTime('2026-04-01 00:00:00', 'UTC')
    GROUP BY code
) AS figures
ANY LEFT JOIN
(
    SELECT code, name FROM cityops.categories FINAL
) AS names USING code
ORDER BY p50_hours DESC, code;

-- 3. Repeat complaints by area: the H3 cells (as the live map names them)
-- where citizens complained of the same category two or more times in the
-- month, with the area's name.
SELECT area, name AS area_name, cell_hex, category, complaints, first_at, last_at
FROM
(
    SELECT CAST(area_id AS String) AS area, cell_hex, CAST(category AS String) AS category, count() AS complaints,
        toTimeZone(min(time), 'UTC') AS first_at, toTimeZone(max(time), 'UTC') AS last_at
    FROM cityops.events FINAL
    WHERE source = 'hotline'
        AND time >= toDateTime('2026-03-01 00:00:00', 'UTC') AND time < toDateTime('2026-04-01 00:00:00', 'UTC')
    GROUP BY area, cell_hex, category
    HAVING complaints >= 2
) AS repeats
ANY LEFT JOIN
(
    SELECT id AS area, name FROM cityops.areas FINAL
) AS names USING area
ORDER BY complaints DESC, area, cell_hex;

-- 4. The readings of one device over a day, hour by hour.
SELECT toStartOfHour(toTimeZone(time, 'UTC')) AS hour, count() AS readings,
    min(value) AS min_value, round(avg(value), 2) AS avg_value, max(value) AS max_value, any(unit) AS unit
FROM cityops.readings FINAL
WHERE device_id = 'beach-63rd'
    AND time >= toDateTime('2026-03-15 00:00:00', 'UTC') AND time < toDateTime('2026-03-16 00:00:00', 'UTC')
GROUP BY hour
ORDER BY hour;

-- 5. How fast each department picks up its work: median minutes from
-- report to dispatch, from dispatch to accept and from report to the first
-- response, and how many incidents it returned or had escalated.
SELECT department_id, count() AS incidents,
    round(quantile(0.5)(to_dispatch_s) / 60, 1) AS dispatch_p50_min,
    round(quantile(0.5)(to_accept_s) / 60, 1) AS accept_p50_min,
    round(quantile(0.5)(to_first_response_s) / 60, 1) AS first_response_p50_min,
    sum(returns) AS returns, sum(escalations) AS escalations
FROM cityops.incident_times
WHERE reported_at >= toDateTime('2026-03-01 00:00:00', 'UTC') AND reported_at < toDateTime('2026-04-01 00:00:00', 'UTC')
GROUP BY department_id
ORDER BY department_id;

-- 6. One incident's audit trail: who did what, when, and what they wrote.
SELECT version, toTimeZone(time, 'UTC') AS at, action, from_status, to_status, actor, department_id, reason, note
FROM cityops.transitions FINAL
WHERE incident_id = 'inc-2'
ORDER BY version;

-- 7. Returns by the department that made them ("not ours"), with the
-- reasons and notes it gave: a department that returns much is one the
-- responsibility matrix may place wrongly.
SELECT substring(actor, 6) AS returned_by, count() AS returns, groupUniqArray(note) AS notes
FROM cityops.transitions FINAL
WHERE action = 'return' AND startsWith(actor, 'dept:')
    AND time >= toDateTime('2026-03-01 00:00:00', 'UTC') AND time < toDateTime('2026-04-01 00:00:00', 'UTC')
GROUP BY returned_by
ORDER BY returns DESC, returned_by;

-- 8. Incidents per day and resolution-7 cell for a map layer, the cell in
-- the form h3-js and the API take.
SELECT toDate(reported_at) AS day, cell7_hex, count() AS incidents, sum(is_closed) AS closed
FROM cityops.incident_times
WHERE reported_at >= toDateTime('2026-03-01 00:00:00', 'UTC') AND reported_at < toDateTime('2026-04-01 00:00:00', 'UTC')
GROUP BY day, cell7_hex
ORDER BY day, cell7_hex;

-- 9. The open backlog by area and category: incidents not closed or
-- cancelled, how many are past their deadline, and the oldest.
SELECT area, name AS area_name, category, open, past_deadline, oldest_at
FROM
(
    SELECT CAST(area_id AS String) AS area, CAST(category AS String) AS category, count() AS open,
        countIf(toUInt32(deadline) > 0 AND deadline < now()) AS past_deadline, toTimeZone(min(reported), 'UTC') AS oldest_at
    FROM cityops.incidents FINAL
    WHERE status NOT IN ('closed', 'cancelled')
    GROUP BY area, category
) AS backlog
ANY LEFT JOIN
(
    SELECT id AS area, name FROM cityops.areas FINAL
) AS names USING area
ORDER BY past_deadline DESC, open DESC, area, category;
