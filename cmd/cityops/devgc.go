package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// devGCPercent is the collector's target in `cityops dev` unless GOGC says
// otherwise. There the broker, every stage and their state share one heap of
// gigabytes under load, and at Go's default of 100 the collector scanned it
// so often that it took 40% of the process's CPU; at 400 a million events
// went through a quarter faster (measured with cityops load when this was
// made), for a heap up to five times the live data. Unless GOMEMLIMIT says
// otherwise, a soft limit of half the machine's memory makes the collector
// work harder before that crowds the machine. The roles run apart keep Go's
// defaults: their GOGC and GOMEMLIMIT belong to the deployment (deploy/k8s).
const devGCPercent = 400

// tuneDevGC sets devGCPercent and the memory limit where the environment
// does not.
func tuneDevGC(log *slog.Logger) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(devGCPercent)
		log.Info("garbage collector target set for one process running everything", "gogc", devGCPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	total, err := memTotal("/proc/meminfo")
	if err != nil {
		log.Warn("no memory limit for the garbage collector", "err", err)
		return
	}
	debug.SetMemoryLimit(total / 2)
	log.Info("garbage collector memory limit set to half the machine's memory", "bytes", total/2)
}

// memTotal reads the machine's memory in bytes from a /proc/meminfo file.
func memTotal(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("reading the machine's memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil || kb <= 0 {
			return 0, fmt.Errorf("reading the machine's memory: %s: MemTotal %q is not a size in kB", path, strings.TrimSpace(rest))
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading the machine's memory: %w", err)
	}
	return 0, fmt.Errorf("reading the machine's memory: %s has no MemTotal", path)
}
