package role

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Build describes the running binary.
type Build struct {
	version   string // the module's version, "(devel)" for a build from a checkout
	goVersion string
	revision  string // the VCS commit, with "+dirty" for uncommitted changes; "" when unknown
}

// ReadBuild reads what the Go toolchain stamped into the binary.
func ReadBuild() Build {
	b := Build{version: "(devel)", goVersion: runtime.Version()}
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

func (b Build) String() string {
	s := fmt.Sprintf("cityops %s %s", b.version, b.goVersion)
	if b.revision != "" {
		s += " " + b.revision
	}
	return s
}

// buildInfoCollector is cityops_build_info: always 1, with the binary's
// build in its labels, so that a dashboard can tell which build each
// process runs and when it changed.
func buildInfoCollector() prometheus.Collector {
	b := ReadBuild()
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "cityops_build_info",
		Help:        "Always 1; the labels say which build of cityops runs: version, goversion and revision (the VCS commit).",
		ConstLabels: prometheus.Labels{"version": b.version, "goversion": b.goVersion, "revision": b.revision},
	}, func() float64 { return 1 })
}
