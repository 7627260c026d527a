// Package readings is the path of sensor readings: a stage that consumes
// the readings topic (bus.TopicReadingsRaw, keyed by device), validates each
// record as intake would, evaluates the pack's alarm definitions per device,
// and stores every valid reading in ClickHouse, whether or not it raises
// anything. Readings are the system's largest stream; none of them pass
// through the incident machinery. Only alarm transitions leave the stage:
// an alarm raised (a threshold met, or a device silent for its offline
// time) or cleared becomes a signal for the merge stage (rules/stateful),
// which opens, fuses or closes the incident. A reading that raises nothing
// produces no other record on the broker.
//
// Validation: a record is decoded strictly (no unknown member, wrong type,
// member twice or data after the value: the flat form gateways write in one
// pass, anything else by json v2, to the same result), checked by
// ingest.Validator.CheckReading against the device registry and the city's
// extent, with no limit of age (a replay of history is valid). When the
// pack registers devices, a record must name one of them and is placed
// where the registry says, whatever lat/lon it carries; only a pack without
// devices takes each record's own place, and refuses one without it. A record
// that fails goes to the dead-letter topic with the field named ("invalid
// reading: value: required for sensor readings") and nothing of it is
// stored.
//
// Storage is exactly-once in effect. Each partition appends its readings
// column by column (store.Readings) and inserts them in one native batch
// per consumer batch (up to Config.Batch records, Config.Wait to fill);
// its alarm signals and dead letters are published, and only then does the
// batch's handler return, so the group's offset is committed after the
// insert, never before. A batch inserted again after a crash or a retry
// has the same rows: readings is a ReplacingMergeTree keyed by device,
// time and id (a reading without an id gets one from its device and time),
// so replays collapse.
//
// State: each partition's alarms (rules.Alarms) are saved with the offset
// they reflect on the processor's snapshots topic, key
// "readings/readings.raw/N", at most every Config.Snapshot and when the
// partition closes, always after the readings up to that offset are
// stored. A new owner restores the snapshot and replays the partition after
// it up to its end (inserting and signalling again: both idempotent), as
// the classify stage does.
//
// Offline alarms run on two clocks: the partition's event time (checked
// before a reading at least a minute after the last check, so replays decide
// as the first pass did) and the wall clock (every Config.Offline), so that
// a device that stops sending is reported even when nothing else arrives on
// its partition.
package readings
