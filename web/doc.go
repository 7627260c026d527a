// Package web is the operations center's window on the pipeline: an HTTP
// server with the live map, a websocket hub that pushes incident changes to
// every open map, the city's reference data, health and readiness probes, and
// the Prometheus metrics of every stage.
//
// The hub reads the incidents.changes topic (through [Server.ChangeHandler])
// or takes changes directly ([Server.Publish]). It keeps the latest state of
// each open incident, so a map that connects gets a snapshot and then the
// changes as they happen. Publish never waits for a client: each client has a
// bounded queue, updates of one incident are coalesced when the queue is full,
// and a client that falls too far behind is disconnected with a close reason;
// it reconnects and starts again from a fresh snapshot. The wire format is in
// PROTOCOL.md.
//
// The pages (the live map at /, the department inbox at /inbox, the planner
// at /planner) are built from npm packages into package ui and embedded in
// the binary: they load nothing from the network but this server, so they
// work on a wall screen of a closed network.
package web
