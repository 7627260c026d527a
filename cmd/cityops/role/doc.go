// Package role assembles the roles of cityops: each function here is one
// role as production runs it, wired from the stage packages (ingest, rules,
// dispatch, store, web) and the Kafka contract of bus. cmd/cityops parses
// the flags, the environment and the config file into a Config and calls
// Process, Store, Dispatch, Ingest, Web, MQTT or Dev; the end-to-end tests
// and the fault suite (deploy/fault) call the same functions, or the single
// stages of stages.go, so that they run the production wiring, not a copy.
//
// The contract: a role runs until its ctx is done and then shuts down in
// pipeline order within cfg.Shutdown (intake first, then each stage once
// its input is drained), committing every input only after its output is
// durable. A Config is taken as validated: cmd/cityops checks it once,
// before a role starts. A role registers its metrics in a registry of its
// own and installs no signal handler; signals belong to main.
//
// Only cmd/cityops and tests import this package (imports_test.go holds
// it).
package role
