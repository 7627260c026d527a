package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const promDir = "../../deploy/prometheus"

// TestAlertRules runs the alerting rules' unit tests with promtool, and
// checks that the compose Prometheus config loads the rules. Debian's
// prometheus package has promtool (deploy/local/test.sh installs it).
func TestAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus; deploy/local/test.sh does): the alert rules are not tested")
	}
	for _, args := range [][]string{
		{"test", "rules", "alerts_test.yml"},
		{"check", "config", "prometheus.yml"}, // which loads alerts.yml
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = promDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestPrometheusConfigsLoadAlerts checks that every Prometheus config of
// the deployments loads alerts.yml.
func TestPrometheusConfigsLoadAlerts(t *testing.T) {
	for _, f := range []string{"prometheus.yml", "kubernetes.yml"} {
		b, err := os.ReadFile(filepath.Join(promDir, f))
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			RuleFiles []string `yaml:"rule_files"`
		}
		if err := yaml.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !slices.Contains(c.RuleFiles, "alerts.yml") {
			t.Errorf("%s loads the rules %v, not alerts.yml", f, c.RuleFiles)
		}
	}
}

// TestAlertMetricsExist checks that every cityops metric the alerting rules
// name is one the code registers: a renamed metric would leave an alert
// that can never fire. The names the code registers are read from its
// source: the metric options (Namespace, Subsystem, Name) and the
// descriptors, so that metrics with no sample yet count too.
func TestAlertMetricsExist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(promDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	known := registeredMetrics(t, "../..")
	if len(known) < 20 {
		t.Fatalf("found only %d metrics in the source: %v", len(known), known)
	}
	alerts := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts++
			names := alertMetric.FindAllString(r.Expr, -1)
			if len(names) == 0 && !strings.Contains(r.Expr, "up{") {
				t.Errorf("%s names no cityops metric: %s", r.Alert, r.Expr)
			}
			for _, n := range names {
				if !known[n] {
					t.Errorf("%s uses %s, which no role registers", r.Alert, n)
				}
			}
		}
	}
	if alerts < 8 {
		t.Errorf("%d alerts, want lag, dead letters, overdue tasks, escalations, readiness, inserts, intake and no events", alerts)
	}
}

var (
	alertMetric = regexp.MustCompile(`\bcityops_[a-z0-9_]+\b`)
	// Namespace: "cityops", Subsystem: "bus", Name: "consumer_lag_records"
	metricOpts = regexp.MustCompile(`Namespace:\s*"(\w+)",\s*Subsystem:\s*"(\w+)",\s*Name:\s*"(\w+)"`)
	// Name: "cityops_ready", NewDesc("cityops_tasks", ...
	metricLiteral = regexp.MustCompile(`(?:Name:\s*|NewDesc\()"(cityops_[a-z0-9_]+)"`)
)

// registeredMetrics returns the names of the metrics the non-test Go
// source under root defines, with the series names of histograms.
func registeredMetrics(t *testing.T, root string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range metricOpts.FindAllSubmatch(b, -1) {
			names[string(m[1])+"_"+string(m[2])+"_"+string(m[3])] = true
		}
		for _, m := range metricLiteral.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for n := range names {
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			names[n+s] = true
		}
	}
	return names
}
