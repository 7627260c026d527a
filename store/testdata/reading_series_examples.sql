-- 1. One device's hourly minimum, mean and maximum over a month, from the
-- hourly aggregates.
SELECT toTimeZone(hour, 'UTC') AS hour_utc, minMerge(low) AS min_value, round(sumMerge(total) / countMerge(n), 2) AS avg_value,
    maxMerge(high) AS max_value, countMerge(n) AS readings
FROM cityops.readings_hourly
WHERE device_id = 'n-1' AND type = 'noise'
    AND hour >= toDateTime('2026-03-01 00:00:00', 'UTC') AND hour < toDateTime('2026-04-01 00:00:00', 'UTC')
GROUP BY hour
ORDER BY hour;

-- 2. The loudest day of each area, from the per-area hourly aggregates.
SELECT area, argMax(day, peak) AS loudest_day, max(peak) AS peak_db
FROM
(
    SELECT CAST(area_id AS String) AS area, toDate(toTimeZone(hour, 'UTC')) AS day, maxMerge(high) AS peak
    FROM cityops.readings_area_hourly
    WHERE type = 'noise' AND hour >= toDateTime('2026-03-01 00:00:00', 'UTC') AND hour < toDateTime('2026-04-01 00:00:00', 'UTC')
    GROUP BY area, day
) AS days
GROUP BY area
ORDER BY area;
