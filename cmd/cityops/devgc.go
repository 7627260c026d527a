package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// devGCPercent is the collector's target in `cityops dev` unless GOGC says
// otherwise. There the broker, every stage and their state share one heap
// of gigabytes under load, and at Go's default of 100 the collector scanned
// it so often that it took 40% of the process's CPU; at 400 a million
// events went through 26% faster (README, Performance), for a heap up to
// five times the live data. The roles run apart keep Go's default: their
// GOGC and GOMEMLIMIT belong to the deployment (deploy/k8s).
const devGCPercent = 400

// tuneDevGC sets devGCPercent when GOGC is unset.
func tuneDevGC(log *slog.Logger) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	debug.SetGCPercent(devGCPercent)
	log.Info("garbage collector target set for one process running everything", "gogc", devGCPercent)
}
