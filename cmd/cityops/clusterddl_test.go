package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// clusterCovers are the migrations deploy/clickhouse/cluster.sql holds; a
// new migration is added to the cluster DDL by hand, and then here.
var clusterCovers = []string{"0001", "0002", "0003", "0004"}

var (
	createTable = regexp.MustCompile(`(?s)CREATE TABLE IF NOT EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')?\s*(?:\((.*?)\)\s*)?(?:AS \S+\s*)?ENGINE = (\w+)\(`)
	addColumn   = regexp.MustCompile(`ALTER TABLE \{db\}\.(\w+) ADD COLUMN (\w+ \w+) AFTER (\w+)`)
	createView  = regexp.MustCompile(`CREATE MATERIALIZED VIEW IF NOT EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')? TO (?:\{db\}|cityops)\.(\w+) AS`)
)

type ddlTable struct {
	columns []string
	engine  string
}

// parseDDL returns the tables (with the columns ALTERs added) and the views
// (name -> target) that SQL creates.
func parseDDL(t *testing.T, sql string, tables map[string]*ddlTable, views map[string]string) {
	t.Helper()
	for _, st := range strings.Split(sql, ";\n") {
		var lines []string
		for _, l := range strings.Split(st, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		st = strings.TrimSpace(strings.Join(lines, "\n"))
		if m := createTable.FindStringSubmatch(st); m != nil {
			var cols []string
			for _, c := range strings.Split(m[2], "\n") {
				if c = strings.TrimSuffix(strings.TrimSpace(c), ","); c != "" {
					cols = append(cols, c)
				}
			}
			tables[m[1]] = &ddlTable{columns: cols, engine: m[3]}
		} else if m := addColumn.FindStringSubmatch(st); m != nil {
			tb := tables[m[1]]
			if tb == nil {
				t.Fatalf("ALTER of unknown table %s", m[1])
			}
			i := slices.IndexFunc(tb.columns, func(c string) bool { return strings.HasPrefix(c, m[3]+" ") })
			tb.columns = slices.Insert(tb.columns, i+1, m[2])
		} else if m := createView.FindStringSubmatch(st); m != nil {
			views[m[1]] = m[2]
		}
	}
}

// TestClusterDDL checks that the cluster DDL has, for every table of the
// migrations it covers, a replicated NAME_local with the same columns and
// engine family and a Distributed NAME over it, and every view, writing into
// the local tables.
func TestClusterDDL(t *testing.T) {
	single, singleViews := map[string]*ddlTable{}, map[string]string{}
	for _, n := range clusterCovers {
		files, err := filepath.Glob("../../store/migrations/" + n + "_*.sql")
		if err != nil || len(files) != 1 {
			t.Fatalf("migration %s: %v %v", n, files, err)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		parseDDL(t, string(b), single, singleViews)
	}
	b, err := os.ReadFile(filepath.Join(deployDir, "clickhouse/cluster.sql"))
	if err != nil {
		t.Fatal(err)
	}
	cluster, clusterViews := map[string]*ddlTable{}, map[string]string{}
	parseDDL(t, string(b), cluster, clusterViews)
	if len(single) < 6 {
		t.Fatalf("parsed %d tables from the migrations", len(single))
	}
	for name, tb := range single {
		local, ok := cluster[name+"_local"]
		if !ok {
			t.Errorf("no %s_local in the cluster DDL", name)
			continue
		}
		if local.engine != "Replicated"+tb.engine {
			t.Errorf("%s_local: engine %s, want Replicated%s", name, local.engine, tb.engine)
		}
		if !slices.Equal(local.columns, tb.columns) {
			t.Errorf("%s_local columns differ:\n got %v\nwant %v", name, local.columns, tb.columns)
		}
		if d, ok := cluster[name]; !ok || d.engine != "Distributed" {
			t.Errorf("no Distributed table %s", name)
		}
	}
	for view, target := range singleViews {
		if clusterViews[view] != target+"_local" {
			t.Errorf("view %s writes to %q in the cluster DDL, want %s_local", view, clusterViews[view], target)
		}
	}
}
