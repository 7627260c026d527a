package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/geo"
)

// TestRolesAlone runs ingest, process, store, dispatch and web as separate
// subcommands on one broker and ClickHouse, as replicas of a deployment run.
// An event posted to ingest reaches ClickHouse; every role answers its
// probes; ingest serves intake only; the Grafana dashboard asks only for
// metrics the running roles register; and every role stops cleanly.
func TestRolesAlone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, role.Config{ClickHouse: role.ClickHouseConfig{Database: "cityops_roles"}})
	k, ch := e.o.Kafka.Brokers[0], e.o.ClickHouse.Addr
	ingestAddr, webAddr, dispatchAddr, processAdmin, storeAdmin := roletest.FreeAddr(t), roletest.FreeAddr(t), roletest.FreeAddr(t), roletest.FreeAddr(t), roletest.FreeAddr(t)
	common := []string{"--kafka", k, "--partitions", "2"}
	db := []string{"--clickhouse", ch, "--database", "cityops_roles"}
	roles := map[string][]string{
		"ingest":   append(append([]string{"--http", ingestAddr, "--caller-key", roletest.CallerKey, "--intake-keys", roletest.IntakeKeys}, common...), db...),
		"process":  append(append([]string{"--admin", processAdmin}, common...), db...), // the readings path stores readings
		"store":    append(append([]string{"--admin", storeAdmin}, common...), db...),
		"dispatch": append([]string{"--http", dispatchAddr, "--tokens", filepath.Join(t.TempDir(), "tokens.json"), "--cluster-secret", roletest.ClusterSecret}, common...),
		"web":      append(append([]string{"--http", webAddr, "--caller-key", roletest.CallerKey, "--intake-keys", roletest.IntakeKeys}, common...), db...),
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	codes := map[string]int{}
	var mu sync.Mutex
	for name, args := range roles {
		wg.Go(func() {
			var errs bytes.Buffer
			code := run(rctx, append([]string{name}, args...), &bytes.Buffer{}, &errs)
			mu.Lock()
			codes[name] = code
			mu.Unlock()
			if code != 0 {
				t.Errorf("cityops %s: exit %d: %s", name, code, lastLines(errs.String(), 5))
			}
		})
	}
	probes := map[string]string{"ingest": ingestAddr, "process": processAdmin, "store": storeAdmin, "web": webAddr, "dispatch": dispatchAddr}
	for name, addr := range probes {
		roletest.WaitHTTP(t, "http://"+addr+"/healthz")
		roletest.WaitFor(t, 20*time.Second, func() error {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s /readyz: %d", name, resp.StatusCode)
			}
			return nil
		})
	}

	// ingest serves intake and probes, not the live map.
	if code := get(t, "http://"+ingestAddr+"/"); code != http.StatusNotFound {
		t.Errorf("GET / on ingest: %d, want 404", code)
	}
	areas, err := geo.NewIndex(e.pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d2-s1")
	roletest.Post(t, "http://"+ingestAddr+"/api/v1/events", fmt.Sprintf(`{"id":"roles-1","source":"hotline","type":"complaint","text":"垃圾堆了三天","lat":%v,"lon":%v,"time":"%s"}`,
		p[0], p[1], time.Now().Format(time.RFC3339)), http.StatusAccepted)
	roletest.WaitFor(t, 30*time.Second, func() error {
		_, err := e.s.EventByID(ctx, roletest.Scoped("roles-1"))
		return err
	})

	// The dashboard's queries use only names the roles register.
	registered := map[string]bool{}
	for _, addr := range []string{ingestAddr, processAdmin, storeAdmin, webAddr, dispatchAddr} {
		roletest.WaitFor(t, 20*time.Second, func() error { // the dispatcher's task gauges appear with its first task
			for n := range metricNames(t, "http://"+addr+"/metrics") {
				registered[n] = true
			}
			if !registered["cityops_tasks"] && addr == dispatchAddr {
				return fmt.Errorf("the dispatcher reports no tasks yet")
			}
			return nil
		})
	}
	// Every role's HTTP server counts its requests by route, and every
	// role says whether it is ready and which build it runs.
	for name, addr := range probes {
		names := metricNames(t, "http://"+addr+"/metrics")
		for _, m := range []string{"cityops_http_requests_total", "cityops_http_request_duration_seconds", "cityops_ready", "cityops_build_info"} {
			if !names[m] {
				t.Errorf("%s does not report %s", name, m)
			}
		}
	}
	used := dashboardMetrics(t, "../../deploy/grafana/cityops.json")
	if len(used) < 10 {
		t.Fatalf("the dashboard uses %d metrics: %v", len(used), used)
	}
	for _, m := range used {
		if !registered[m] {
			t.Errorf("the dashboard queries %s, which no role registers", m)
		}
	}

	stop()
	wg.Wait()
	if len(codes) != len(roles) {
		t.Errorf("roles that returned: %v", codes)
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// metricNames returns the names of the metric families served at url,
// histograms and summaries with their _bucket, _sum and _count series.
func metricNames(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
			if f[3] == "histogram" || f[3] == "summary" {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					names[f[2]+s] = true
				}
			}
		}
	}
	return names
}

var metricName = regexp.MustCompile(`\b(?:cityops|go|process)_[a-z0-9_]+\b`)

// dashboardMetrics returns the metric names the dashboard's queries use.
func dashboardMetrics(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			for _, m := range metricName.FindAllString(q.Expr, -1) {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
