// Package tasks runs the closed loop: it adopts the incidents the processor
// dispatches, holds their state in memory, takes the steps departments and
// the center ask for, keeps every task's clock and escalates on breach.
//
// State is event-sourced. Every step is first written to the transitions
// topic, keyed by incident id, and only then applied; the incident's new
// state also goes to the changes topic, so the store and the live map see
// it. On start the service replays the transitions topic, and escalations
// that fell due while it was down fire at once.
//
// One replica owns all incidents: it replays every partition and adopts
// from every partition of the changes topic. Run a single dispatcher (a
// standby that starts after it stops takes over by replaying the log);
// splitting incidents across replicas by partition is not built yet.
package tasks
