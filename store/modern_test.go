package store_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cityops/cityops/deploy/realdata"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
)

// chModern returns the path of the current-engine checker: the file that
// CITYOPS_CH_MODERN names, or ../shared/tools/ch-modern next to the
// repository. Without either the test is skipped, saying so.
func chModern(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CITYOPS_CH_MODERN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CITYOPS_CH_MODERN=%s: %v", p, err)
		}
		return p
	}
	return realdata.Tool(t, "ch-modern")
}

// runModern runs sql through ch-modern and fails t unless every statement
// passes.
func runModern(t *testing.T, tool, name, sql string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), " 0 failed") {
		t.Fatalf("%s %s: %v\n%s", tool, name, err, out)
	}
	t.Logf("%s: %s", name, strings.TrimSpace(string(out)))
}

// repoSQL is every statement of the repository's SQL that a single server
// runs, for database cityops, with literal arguments: the migrations, the
// store's own statements, the planner queries of store/history, the
// department query they are held to, and the planner examples (of the
// incidents and of the sensor series).
func repoSQL(t *testing.T) string {
	t.Helper()
	samples, err := history.SampleSQL("")
	if err != nil {
		t.Fatal(err)
	}
	exact, err := os.ReadFile("history/testdata/departments_exact.sql")
	if err != nil {
		t.Fatal(err)
	}
	dep := strings.NewReplacer("{db}", "cityops", "{dep}", " AND department_id = 'NYPD'").Replace(string(exact))
	for range 4 { // from and to (March 2026), in each of the four reads
		dep = strings.Replace(strings.Replace(dep, "?", "1772323200", 1), "?", "1775001600", 1)
	}
	series, err := os.ReadFile("testdata/reading_series_examples.sql")
	if err != nil {
		t.Fatal(err)
	}
	return store.MigrationSQL("") + store.QuerySQL("") + samples + dep + ";\n" + readExamples(t) + "\n" + string(series)
}

func readExamples(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/planner_examples.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRepoSQLRunsOnCurrentClickHouse runs all of repoSQL on the current
// engine: current servers refuse some SQL that 18.16 runs (an unaliased
// subquery in a JOIN is Code 206, ALIAS_REQUIRED).
func TestRepoSQLRunsOnCurrentClickHouse(t *testing.T) {
	tool := chModern(t)
	runModern(t, tool, "repo.sql", repoSQL(t))
}

// joinedSubquery finds a JOIN of a subquery: the text from the '(' on is
// checked for an alias after its closing ')'.
// SQL keywords are written in capitals here, which also tells them from Go's
// strings.Join and errors.Join.
var joinedSubquery = regexp.MustCompile(`\bJOIN\s*\(`)

// aliasAfter matches what follows a joined subquery that has an alias.
var aliasAfter = regexp.MustCompile(`(?i)^\s*(AS\s+)?[A-Za-z_][A-Za-z0-9_]*\s`)

// TestJoinedSubqueriesHaveAliases reads the SQL in the repository's Go and
// SQL files under store, web, cmd, ingest and deploy, including the
// statements no test runs, and requires an alias on every subquery a JOIN
// reads: current servers refuse one without (Code 206), though 18.16 takes
// it.
func TestJoinedSubqueriesHaveAliases(t *testing.T) {
	checked := 0
	for _, root := range []string{".", "../web", "../cmd", "../ingest", "../deploy"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".sql")) {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			text := string(b)
			for _, loc := range joinedSubquery.FindAllStringIndex(text, -1) {
				open := loc[1] - 1
				end := closing(text, open)
				if end < 0 {
					t.Errorf("%s: a JOIN's subquery at byte %d does not close", path, open)
					continue
				}
				checked++
				if rest := text[end+1:]; !aliasAfter.MatchString(rest) || startsWithKeyword(rest) {
					t.Errorf("%s: the subquery joined at byte %d has no alias (current servers refuse it: Code 206)", path, open)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked == 0 {
		t.Fatal("no joined subquery found: the check reads nothing")
	}
	t.Logf("%d joined subqueries, each with an alias", checked)
}

// closing returns the index of the ')' that closes the '(' at open, or -1.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// startsWithKeyword reports whether what follows a subquery is a clause
// rather than an alias written without AS.
func startsWithKeyword(rest string) bool {
	f := strings.Fields(rest)
	if len(f) == 0 {
		return true
	}
	switch strings.ToUpper(f[0]) {
	case "USING", "ON", "WHERE", "GROUP", "ORDER", "LIMIT", "ANY", "ALL", "LEFT", "INNER", "RIGHT", "FULL", "JOIN", "UNION", "HAVING", "SETTINGS", "FORMAT":
		return true
	}
	return false
}
