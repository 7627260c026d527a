-- The Open311 requests, read back by the public GeoReport v2 endpoint of
-- every intake replica: by id (GET requests/{id}, service_request_id=...)
-- and by date and service code (GET requests). events is sorted by
-- (time, id), which serves neither an id lookup nor a list without reading
-- every hotline and sensor event of the span, so the requests are copied, as
-- they are inserted, into two small tables with the same columns and the
-- sorting key of each lookup (18.16 has no projections). The service code is
-- the event's type without its 'open311:' prefix; incident_id is the incident
-- the request founded or was merged into. Both are ReplacingMergeTree: an
-- event inserted again (a retried batch, or a later assignment to another
-- incident) replaces its row; read with FINAL. Monthly partitions on the
-- request's time, like events, so retention drops them together. A third
-- table keys each request's token (GET tokens/{token}): the token is derived
-- from the id as intake derives it, the first 10 bytes of SHA-256 of
-- 'token:' and the id, in lower-case hexadecimal, with the 'tok-' prefix.
CREATE TABLE IF NOT EXISTS {db}.open311_requests
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
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (time, service_code, id);

CREATE TABLE IF NOT EXISTS {db}.open311_request_ids
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
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY id;

CREATE TABLE IF NOT EXISTS {db}.open311_request_tokens
(
    token String,
    id String,
    time DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY token;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.open311_requests_mv TO {db}.open311_requests AS
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.open311_request_ids_mv TO {db}.open311_request_ids AS
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.open311_request_tokens_mv TO {db}.open311_request_tokens AS
SELECT concat('tok-', lower(hex(substring(SHA256(concat('token:', id)), 1, 10)))) AS token, id, time
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

-- The requests stored before this migration. A request inserted while it
-- runs may be copied twice; FINAL collapses the copies.
INSERT INTO {db}.open311_requests (id, service_code, time, time_ms, text, lat, lon, incident_id)
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

INSERT INTO {db}.open311_request_ids (id, service_code, time, time_ms, text, lat, lon, incident_id)
SELECT id, replaceRegexpOne(type, '^open311:', '') AS service_code, time, time_ms, text, lat, lon, incident_id
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';

INSERT INTO {db}.open311_request_tokens (token, id, time)
SELECT concat('tok-', lower(hex(substring(SHA256(concat('token:', id)), 1, 10)))) AS token, id, time
FROM {db}.events
WHERE id LIKE '311-%' AND type LIKE 'open311:%';
