// Package cityops holds the domain types of the cityops platform: the events
// that arrive from the citizen hotline and from IoT sensors, the incidents the
// rule engine makes of them, and the city they happen in (areas, departments,
// categories).
//
// Every incident is closed in a loop: it is reported, registered, dispatched to
// one named department, accepted, handled, verified and closed, each step with a
// time and an actor. The types here carry that record between the pipeline
// stages (ingest, rules, geo, dispatch, store, web), which live in the
// subpackages. This package imports only the standard library.
package cityops
