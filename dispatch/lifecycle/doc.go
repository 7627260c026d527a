// Package lifecycle is the incident state machine of the closed loop: which
// actor may take which step from which status, and what each step changes.
// It is pure: Step checks a command against a task and returns the
// transition to record, without changing anything; Apply changes a task by a
// recorded transition, both live and when the transitions log is replayed.
package lifecycle
