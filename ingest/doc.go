// Package ingest is the platform's front door. It accepts events from the
// hotline and from sensors over HTTP (single JSON events, and NDJSON batches
// of readings answered line by line) and from the readings topic gateways
// write to; it validates each one with errors that name the field at fault,
// masks callers' personal data in free text, normalizes what it accepts into
// cityops.Event with an id that makes a resent input the same event, and
// writes it to the raw events topic. Nothing is acknowledged to the sender
// before the broker has it, and what cannot be processed after acceptance is
// dead-lettered with its reason and original bytes.
//
// Only known senders write: the HTTP endpoints take an intake key (Keys,
// `Authorization: Bearer`), limited to sources and devices, and only JSON
// bodies. A client's id is scoped by its key's name, so no sender can reach
// another's records or the Open311 (311-) and reading (rd-) namespaces. IDs
// remembers every stored id with its ContentHash on the compacted topic
// intake.ids (LoadIDs), so a resend is answered as before and stored once,
// and a changed one is refused with 409, across restarts and replicas.
//
// Subpackages: open311 (the hotline's GeoReport v2 endpoint), mqtt
// (devices' readings from an MQTT broker), privacy (caller masking, sealing
// and audited reads), replay (recorded requests from CSV) and sim (the simulator).
package ingest
