// Package dispatch is the closed loop of an incident once the processor
// (rules/process) has named its lead department: tasks (its state,
// deadlines and escalations), taskapi (the departments' and the center's
// API), lifecycle (the steps a task may take), sla (deadlines and the
// clock), feed and webhook (delivery to the departments' own systems). This
// package keeps the center's record of the responsibility matrix's changes.
package dispatch
