package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// build describes the running binary.
type build struct {
	version   string // the module's version, "(devel)" for a build from a checkout
	goVersion string
	revision  string // the VCS commit, with "+dirty" for uncommitted changes; "" when unknown
}

// buildOf reads what the Go toolchain stamped into the binary.
func buildOf() build {
	b := build{version: "(devel)", goVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if bi.Main.Version != "" {
		b.version = bi.Main.Version
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.revision != "" {
		b.revision += "+dirty"
	}
	return b
}

func (b build) String() string {
	s := fmt.Sprintf("cityops %s %s", b.version, b.goVersion)
	if b.revision != "" {
		s += " " + b.revision
	}
	return s
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr, &config{})
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintln(stdout, buildOf())
	return nil
}

// buildInfoCollector is cityops_build_info: always 1, with the binary's
// build in its labels, so that a dashboard can tell which build each
// process runs and when it changed.
func buildInfoCollector() prometheus.Collector {
	b := buildOf()
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "cityops_build_info",
		Help:        "Always 1; the labels say which build of cityops runs: version, goversion and revision (the VCS commit).",
		ConstLabels: prometheus.Labels{"version": b.version, "goversion": b.goVersion, "revision": b.revision},
	}, func() float64 { return 1 })
}
