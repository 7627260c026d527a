// Package fault is the fault suite: each test drives the real pipeline
// (embedded broker, processor, ClickHouse sink on a private ClickHouse
// server) with replayed hotline requests, breaks one part of it while
// events flow, and counts what came out: events in, events stored, lost and
// duplicated. The goal is 0 lost and 0 duplicated in every scenario.
//
// The stages are the production wiring of cmd/cityops/role, which the
// suite imports: the processor is role.Processor, the stateful stages
// `cityops process` runs (classify, then merge and fusion on
// incidents.signals), in the test process or, for the kill -9, in a child
// process; the sink is role.Sink, the store role's. Its merge stage joins repeated reports into one incident, so
// stored, lost and duplicated count events by id after FINAL, as `cityops
// load` does, and every stored event must point at a stored incident.
//
// The dispatcher scenario builds cmd/cityops and runs two `cityops
// dispatch` replicas (role.Dispatch) as a deployment does,
// kills one with SIGKILL while reports flow, and checks the transitions
// topic and ClickHouse: every incident adopted exactly once, whichever
// replica held it, and every transition stored once.
//
// The readings path (rules/readings, run by role.Readings as `cityops
// process` runs it) has scenarios of its own: readings on readings.raw,
// stored straight into ClickHouse's readings, through a kill -9 of the path
// (a child process, replaced by a new one) and ClickHouse down; every
// reading sent must be in readings once after FINAL.
//
// Without flags every scenario runs at a small size, so `go test ./...`
// keeps checking them. `go test ./deploy/fault -fault -v` (make fault) runs
// them at full size: a million events through a processor kill -9,
// ClickHouse down for 60 seconds. Each test logs its result line, and the
// suite prints them as a table at the end.
package fault

// Role names a pipeline stage the suite runs in a process of its own, so it
// can be killed with SIGKILL; the test binary runs the role when the
// environment variable RoleEnv names it.
const RoleEnv = "CITYOPS_FAULT_ROLE"
