// Package stateful runs the processor as two stateful stages, each a member
// of its own consumer group, so that the state of a partition lives in one
// replica at a time and moves with the partition (bus.ConsumePartitions).
//
// Classify reads the raw events topic, where intake keys readings by device:
// a device's readings, and so its alarm windows, live in one partition. A
// reading of a sensor type that an alarm definition watches goes to
// rules.Alarms (threshold with duration, rate of change, hysteresis clear,
// offline on the partition's event time); every alarm change becomes a
// signal. Every event is also classified alone, as before: a hotline report
// by the rules, a reading by the per-reading threshold rules. One with a
// category becomes a signal; one without (an unclassified report) goes
// straight to the changes topic, since nothing can merge with it.
//
// The raw events topic is a contract, not trusted input. Classify reads
// each record as intake would have accepted it: decoded strictly (no
// unknown field, wrong type, data after the value or invalid UTF-8),
// validated by ingest.Validator with a required id and inside the pack's
// extent, but with no limit of age (a replay of history is valid), an
// event's time judged against the record's received time; and masked again
// (privacy.MaskEvent is idempotent). A record that fails goes to the
// dead-letter topic with a reason naming the field ("invalid event: lat:
// required") and nothing of it goes further. Each partition remembers the
// ids it handled with the hash of their content (contentHash: every field
// but Received): a resend is dropped and counted, an id used again with
// other content is dead-lettered. The ids are kept for Config.IDWindow of
// event time, at most Config.IDMax of them, and move with the snapshot.
//
// Merge reads the signals topic, keyed by merge group: a category and the
// alarm types and categories the pack's fusion rules join with it
// (MergeConfig.Groups). Hotline events are keyed by event id, so reports
// that may merge would otherwise sit in different partitions; keyed by
// group they meet in one rules.Merger. A signal that starts an incident
// emits ChangeCreated; one that joins an incident (a duplicate report, a
// fused alarm) emits ChangeMerged with the incident's counters
// (cityops.Merge: reports, report ids, alarms, first and last, a sequence
// number); an alarm update emits ChangeMerged and an alarm clear
// ChangeCleared, addressed to the incident the alarm belongs to. Every
// change goes, in order, to the found topic (incidents.found), where the
// dispatcher reads them and applies merges to the task; a new incident,
// which is a whole state, also goes to the changes topic, while merged and
// cleared changes, whose incident is not the incident's state, do not.
// A hot category is one partition's
// load: the price of exact merging across cells.
//
// State moves by snapshot and replay. Each partition's state is saved, with
// the offset of the last input record it reflects, to a compacted topic
// keyed by stage/topic/partition, at most every Config.Snapshot (or a
// hundred times as long as encoding the last one took, for a large state)
// and when the partition is closed, and only once everything it emitted is
// durable. The state is encoded between two batches and written behind
// them, one snapshot at a time; one that is lost only lengthens the replay.
// A new owner restores the snapshot and replays the input after it up to
// the partition's end, publishing again what it emits (every output is
// idempotent: ids derive from event and alarm ids, merges carry a sequence
// number), then handles the consumer's batches, skipping records at or below
// the offset already applied. So a crash between a snapshot and a commit
// loses no window and raises no second alarm.
//
// Hot reload: the stage asks Config.Pack before each batch; when it returns
// a new pack (a rules.Reloader swaps in only valid ones) each partition
// moves its state into machines built from it, between two batches, so each
// event is decided wholly by one pack.
package stateful
