package main

import (
	"os"
	"strings"
	"testing"
)

// TestSettingsDocumented checks that the settings table of
// docs/operations.md has a row for every setting naming its key, its
// environment variable and its flag, and no row for a setting that does not
// exist.
func TestSettingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if key, _, ok := strings.Cut(rest, "`"); ok && strings.Contains(line, "`CITYOPS_") {
				rows[key] = line
			}
		}
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.key] = true
		row, ok := rows[s.key]
		if !ok {
			t.Errorf("docs/operations.md has no row for %s", s.key)
			continue
		}
		if !strings.Contains(row, "`"+s.env+"`") || !strings.Contains(row, "`--"+s.flag) {
			t.Errorf("docs/operations.md: the row of %s does not name %s and --%s: %s", s.key, s.env, s.flag, row)
		}
	}
	for key := range rows {
		if !known[key] {
			t.Errorf("docs/operations.md documents %s, which is not a setting", key)
		}
	}
}
