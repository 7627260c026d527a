// Package taskapi is the HTTP API of the closed loop under /api/v1/tasks:
// departments list, read, accept, start, return, note and resolve their own
// tasks; the operations center registers, cancels, re-dispatches, verifies,
// arbitrates, extends and pauses. Callers authenticate with a bearer token
// per department or for the center; a department that reaches for another's
// task gets 403, and the attempt is audited.
package taskapi
