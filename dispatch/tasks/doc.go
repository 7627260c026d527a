// Package tasks runs the closed loop: it adopts the incidents the processor
// dispatches, holds their state in memory, takes the steps departments and
// the center ask for, keeps every task's clock and escalates on breach.
//
// State is event-sourced. Every step is first written to the transitions
// topic, keyed by incident id, and only then applied; the incident's new
// state also goes to the changes topic (with the owner's department feed
// record, in the same write), so the store, the live map and the webhooks
// see it.
//
// Replicas split the incidents by partition. The transitions and changes
// topics are both keyed by incident id and have the same partition count, so
// partition p of both holds the same incidents. The dispatchers form one
// consumer group of the changes topic; a replica assigned p rebuilds p's
// tasks by replaying p of the transitions topic (OpenPartition), then adopts
// from p of the changes; when p is revoked it drops them (ClosePartition) and
// refuses steps on them with ErrNotOwned. Escalations that fell due while
// nobody held p fire at once after the takeover. Each replica announces the
// partitions it holds on OwnersTopic, so a replica asked about a task it
// does not hold can forward the request to the one that does. A single
// replica simply holds every partition; Load replays every partition at
// once for tools and tests that hold all incidents.
//
// What a transition records, for the planners' department figures that are
// computed from the stored transitions and incidents: the actor ("center",
// "dept:ID", "inspector:ID" or "system"); the status before and after (from,
// to); the department the step counts for (department_id: the owner after the
// step, except a return, which counts for the department that returned it,
// with the center it goes back to in owner); the deadline after the step; the
// coded reason of a return, a cancellation or a failed verification; and on
// close, on_time (closed by the deadline). The first transition (adopt)
// carries the whole incident, with its lead and cooperating departments.
//
// Rounds. A closed round never changes: no signal is recorded on a closed
// task, and a callback (feedback: result, channel, the masked comment in
// note, the result also as reason) does not move the incident's updated
// time. A hotline report merged into a resolved, verified or closed
// incident within the category's reopen window after closure (the pack's
// merge settings) is a repeat complaint (重复投诉): a reopen transition
// (actor system, reason "repeat", with the merge) sends it back to the same
// department with a new deadline and counts it on the incident (repeats)
// and in cityops_repeat_complaints_total. A dissatisfied callback within
// the policy's callback window reopens it for rework (重办: actor center,
// reason "dissatisfied", counted in redone); after callback.max_redos of
// those the reopening goes to the center's arbitration instead. Each
// reopening starts a round with its own clock (dispatched, deadline), and
// each round takes one callback. The dispatcher tells the processor's
// merge stage of each resolve and close (stateful.DoneRecords), so a later
// matching report reopens the incident and one after the window founds a
// new incident.
package tasks
