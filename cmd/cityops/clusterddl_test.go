package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	createTable = regexp.MustCompile(`(?s)^CREATE TABLE IF NOT EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')?\s*(?:\((.*?)\)\s*)?(?:AS \S+\s*)?ENGINE = (\w+)\(`)
	alterColumn = regexp.MustCompile(`(?s)^ALTER TABLE \{db\}\.(\w+) (ADD|MODIFY) COLUMN (.*?)(?:\s+AFTER (\w+))?$`)
	createMV    = regexp.MustCompile(`^CREATE MATERIALIZED VIEW IF NOT EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')? TO (?:\{db\}|cityops)\.(\w+) AS`)
	dropTable   = regexp.MustCompile(`^DROP (?:TABLE|VIEW) IF EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')?$`)
	createView  = regexp.MustCompile(`^CREATE VIEW IF NOT EXISTS (?:\{db\}|cityops)\.(\w+)(?: ON CLUSTER '\{cluster\}')? AS`)
	spaces      = regexp.MustCompile(`\s+`)
)

type ddlTable struct {
	columns []string // "name Type[ DEFAULT|MATERIALIZED|ALIAS expr]", spaces normalized
	engine  string
	args    []string // the engine's arguments, spaces normalized
	keys    string   // what follows the engine: PARTITION BY, ORDER BY, ...
}

// ddlSchema is what a DDL file creates.
type ddlSchema struct {
	tables map[string]*ddlTable
	mvs    map[string]string // materialized view -> the table it writes to
	views  map[string]bool   // plain views
}

func newDDLSchema() ddlSchema {
	return ddlSchema{tables: map[string]*ddlTable{}, mvs: map[string]string{}, views: map[string]bool{}}
}

// normColumn writes a column definition with single spaces and none inside
// parentheses, so that a definition split over lines compares equal.
func normColumn(c string) string {
	c = spaces.ReplaceAllString(strings.TrimSpace(c), " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(c)
}

// splitTop splits s at the commas outside parentheses and quotes.
func splitTop(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// engineArgs splits what follows "ENGINE = NAME(" into the engine's
// arguments and the clauses after them, spaces normalized.
func engineArgs(rest string) (args []string, keys string) {
	depth, quoted := 1, false
	for i, r := range rest {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		}
		if depth == 0 {
			for _, a := range splitTop(rest[:i]) {
				if a = normColumn(a); a != "" {
					args = append(args, a)
				}
			}
			return args, normColumn(rest[i+1:])
		}
	}
	return nil, normColumn(rest)
}

func columnName(c string) string { name, _, _ := strings.Cut(c, " "); return name }

// parseDDL adds what sql creates to sc: tables with the columns later ALTERs
// add or change, materialized views and views. ALTERs of tables sql did not
// create (the store's own schema_migrations) are left out.
func parseDDL(t *testing.T, sql string, sc ddlSchema) {
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
			if strings.TrimSpace(m[2]) != "" {
				for _, c := range splitTop(m[2]) {
					cols = append(cols, normColumn(c))
				}
			}
			args, keys := engineArgs(st[len(m[0]):])
			sc.tables[m[1]] = &ddlTable{columns: cols, engine: m[3], args: args, keys: keys}
		} else if m := alterColumn.FindStringSubmatch(st); m != nil {
			tb := sc.tables[m[1]]
			if tb == nil {
				continue
			}
			col := normColumn(m[3])
			i := slices.IndexFunc(tb.columns, func(c string) bool { return columnName(c) == columnName(col) })
			switch {
			case m[2] == "MODIFY" && i < 0:
				t.Fatalf("MODIFY of unknown column %s.%s", m[1], columnName(col))
			case m[2] == "MODIFY":
				tb.columns[i] = col
			case m[4] == "":
				tb.columns = append(tb.columns, col)
			default:
				after := slices.IndexFunc(tb.columns, func(c string) bool { return columnName(c) == m[4] })
				if after < 0 {
					t.Fatalf("ADD COLUMN %s AFTER unknown column %s.%s", columnName(col), m[1], m[4])
				}
				tb.columns = slices.Insert(tb.columns, after+1, col)
			}
		} else if strings.HasPrefix(st, "ALTER TABLE") {
			t.Fatalf("an ALTER the test cannot read: %s", st)
		} else if m := createMV.FindStringSubmatch(st); m != nil {
			sc.mvs[m[1]] = m[2]
		} else if m := createView.FindStringSubmatch(st); m != nil {
			sc.views[m[1]] = true
		} else if m := dropTable.FindStringSubmatch(st); m != nil {
			// A later migration dropped it (0008: readings_mv).
			delete(sc.tables, m[1])
			delete(sc.mvs, m[1])
			delete(sc.views, m[1])
		}
	}
}

// migrationsSchema is the single-server schema every migration gives.
func migrationsSchema(t *testing.T) ddlSchema {
	t.Helper()
	files, err := filepath.Glob("../../store/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	slices.Sort(files)
	sc := newDDLSchema()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parseDDL(t, string(b), sc)
	}
	return sc
}

// TestClusterDDL checks that the cluster DDL has, for every table of every
// migration, a replicated NAME_local with the same columns in the same order
// (types, defaults and all), the same engine family with the same
// arguments after its Keeper path and replica, the same partition and
// sorting keys, and a Distributed NAME over it; every materialized view,
// writing into the local tables; and every plain view.
func TestClusterDDL(t *testing.T) {
	single := migrationsSchema(t)
	b, err := os.ReadFile(filepath.Join(deployDir, "clickhouse/cluster.sql"))
	if err != nil {
		t.Fatal(err)
	}
	cluster := newDDLSchema()
	parseDDL(t, string(b), cluster)
	if len(single.tables) < 10 || len(single.views) < 2 {
		t.Fatalf("parsed %d tables and %d views from the migrations", len(single.tables), len(single.views))
	}
	for name, tb := range single.tables {
		local, ok := cluster.tables[name+"_local"]
		if !ok {
			t.Errorf("no %s_local in the cluster DDL", name)
			continue
		}
		if local.engine != "Replicated"+tb.engine {
			t.Errorf("%s_local: engine %s, want Replicated%s", name, local.engine, tb.engine)
		}
		for _, c := range tb.columns {
			if !slices.Contains(local.columns, c) {
				t.Errorf("%s_local has no column %q", name, c)
			}
		}
		if !slices.Equal(local.columns, tb.columns) {
			t.Errorf("%s_local columns differ:\n got %q\nwant %q", name, local.columns, tb.columns)
		}
		// The replicated engine takes the Keeper path and the replica first,
		// then the plain engine's arguments (a version column, the columns
		// to sum); the keys and partitions are the same.
		wantPath := "'/clickhouse/tables/{shard}/cityops/" + name + "'"
		if len(local.args) < 2 || local.args[0] != wantPath || local.args[1] != "'{replica}'" {
			t.Errorf("%s_local: engine arguments %q, want %s, '{replica}' first", name, local.args, wantPath)
		} else if !slices.Equal(local.args[2:], tb.args) {
			t.Errorf("%s_local: engine arguments %q after the replica, want %q", name, local.args[2:], tb.args)
		}
		if local.keys != tb.keys {
			t.Errorf("%s_local: %q, want %q", name, local.keys, tb.keys)
		}
		d, ok := cluster.tables[name]
		if !ok || d.engine != "Distributed" {
			t.Errorf("no Distributed table %s", name)
		} else if len(d.args) != 4 || d.args[0] != "'{cluster}'" || d.args[1] != "cityops" || d.args[2] != name+"_local" {
			t.Errorf("Distributed table %s: arguments %q, want '{cluster}', cityops, %s_local and a sharding key", name, d.args, name)
		}
	}
	for view, target := range single.mvs {
		if cluster.mvs[view] != target+"_local" {
			t.Errorf("materialized view %s writes to %q in the cluster DDL, want %s_local", view, cluster.mvs[view], target)
		}
	}
	for view := range single.views {
		if !cluster.views[view] {
			t.Errorf("no view %s in the cluster DDL", view)
		}
	}
	for view := range cluster.mvs {
		if _, ok := single.mvs[view]; !ok {
			t.Errorf("materialized view %s of the cluster DDL is none of the migrations' (dropped by one?)", view)
		}
	}
}
