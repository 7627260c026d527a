// Package web is the operations center's window on the pipeline: an HTTP
// server with the live map, a websocket hub that pushes incident changes to
// every open map, the city's reference data, health and readiness probes, and
// the Prometheus metrics of every stage.
//
// The hub reads the incidents.changes topic (through [Server.ChangeHandler])
// or takes changes directly ([Server.Publish]). It keeps the latest state of
// each open incident. A map subscribes to its viewport, zoom and filters and
// gets a snapshot of what matches, then only the changes that concern it:
// single incidents when zoomed in, counts of H3 cells (resolution 5 or 7, kept
// per client as changes arrive) when zoomed out. A token of the task API's
// tokens file ([Config.Authenticate]), given in the protocol's auth message and
// never in the URL, opens the center's or an inspector's view of everything or
// a department's view of its own incidents. Without one a map is anonymous:
// counts of whole resolution-5 or -7 cells placed by their centres, over a bbox
// of at least 0.1 degrees, none below [Config.PublicMinCount], and no filters,
// so that no run of subscriptions singles out an incident. Publish never waits for a client: each client has a bounded queue,
// updates of one incident are coalesced when the queue is full, and a client
// that falls too far behind is told why and disconnected; it reconnects and
// starts again from a fresh snapshot. The wire format is in PROTOCOL.md; the
// load of 1,000 maps is BenchmarkLive (go test -run '^$' -bench Live
// -benchtime 10000x ./web).
//
// The pages (the live map at /, the department inbox at /inbox, the planner
// at /planner) are built from npm packages into package ui and embedded in
// the binary: they load nothing from the network but this server, so they
// work on a wall screen of a closed network.
package web
