// Package load drives a running cityops at a target rate with real-shaped
// traffic and measures it end to end. Given the real data, hotline requests
// are NYC 311 requests replayed through ingest/replay, shifted to now and
// into the running city's extent, and sensor readings replay the values of
// real sensor streams on the city's registered devices; without it both are
// the city's own simulated requests and readings (deploy/sim). Every event of a run carries an id unique to the
// run, so the tool can find it again: in ClickHouse (ingest -> stored:
// hotline events in events, every reading in readings) and in the changes
// the websocket live map sends (ingest -> websocket).
//
// Events go either to the intake API (POST /api/v1/events, one event a
// request, as a hotline client sends them; a reading as one NDJSON line to
// POST /api/v1/readings) or straight to the topics (hotline requests to
// events.raw as a second intake would, readings to readings.raw as a
// gateway would). Latency is measured from the
// moment the pacer releases an event, not from when a worker gets to it, so a
// tool that falls behind shows the delay instead of hiding it.
package load
