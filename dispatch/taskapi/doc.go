// Package taskapi is the HTTP API of the closed loop under /api/v1/tasks:
// departments list, read, accept, start, return, note and resolve their own
// tasks; the operations center registers, cancels, re-dispatches, verifies,
// arbitrates, extends and pauses, and records the callback (回访) of a
// resolved task: POST /api/v1/tasks/{id}/feedback with
// {"result":"satisfied"|"basically_satisfied"|"dissatisfied","comment":"...",
// "channel":"phone"|"sms"|"web"}, once per round (a second is 409), the
// comment masked like every text; a dissatisfied result within the policy's
// callback window reopens the task for rework by the same department, and
// after callback.max_redos such reopenings the center arbitrates. Callers authenticate with a bearer token
// per department, per inspector or for the center (tokens.json). A
// department that reaches for another's task gets the 404 a task that does
// not exist gets, and the attempt is audited. Step bodies are decoded
// strictly (see MaxBody, MaxNote, MaxExtendHours): an unknown field, a
// value of the wrong type, invalid UTF-8 or an hours out of range is a 400
// naming the field, a body or note over its limit a 413. A cooperating
// department (named by the responsibility matrix) sees the task in its list
// and may add notes, nothing else. Inspectors see every task, in every
// area, and may verify a resolved task or fail its verification (back for
// rework), nothing else.
//
// When dispatcher replicas split the incidents by partition, a request
// about a task another replica holds is forwarded to that replica with its
// body, and the answer names it in X-Cityops-Owner. The caller's token never
// leaves the replica that checked it: the forward carries the caller's
// identity signed with the cluster secret (see Sign), and a replica refuses
// a forward whose signature, addressee or timestamp is wrong with 401; while
// the partition moves the answer is 503 with Retry-After. A list gathers the
// tasks of every replica (scope=local asks one replica for its own).
package taskapi
