package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// TestCellAndTimeOfDay checks conditions over an event's H3 cell and its
// local time of day: a rule for one neighbourhood (a resolution-7 cell) at
// night.
func TestCellAndTimeOfDay(t *testing.T) {
	here, err := geo.CellsOf(30.62, 117.07)
	if err != nil {
		t.Fatal(err)
	}
	there, err := geo.CellsOf(30.66, 117.16)
	if err != nil {
		t.Fatal(err)
	}
	if here.Cell7 == there.Cell7 {
		t.Fatal("the two points share a resolution-7 cell")
	}
	ruleFile := fmt.Sprintf(`groups:
  - name: g
    mode: all
    rules:
      - {id: night.here, source: iot, types: [noise], when: 'in_cell(cell, "%x") && (hour >= 22 || hour < 6)', category: '06028'}
      - {id: block.here, source: iot, types: [noise], when: 'in_cell(cell, "%x")', category: '06028', tags: [block]}
`, uint64(here.Cell7), uint64(here.Cell))
	p, err := rules.Load(demoWith(t, map[string]string{"rules/iot.yaml": ruleFile, "rules/hotline.yaml": "groups: []\n"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   string // UTC; the demo city keeps Asia/Shanghai time, UTC+8
		cell cityops.Cell
		want string
	}{
		{"here at 23:00", "2026-07-01T15:00:00Z", here.Cell, "night.here block.here"},
		{"here at 05:59", "2026-07-01T21:59:00Z", here.Cell, "night.here block.here"},
		{"here at 10:00", "2026-07-01T02:00:00Z", here.Cell, "block.here"},
		{"there at 23:00", "2026-07-01T15:00:00Z", there.Cell, ""},
		{"a neighbour of here's block, same neighbourhood", "2026-07-01T15:00:00Z", neighbourIn(t, here), "night.here"},
		{"no cell", "2026-07-01T15:00:00Z", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			v := 60.0
			in := rules.NewInput(&cityops.Event{Source: cityops.SourceIoT, Type: "noise", Value: &v, Time: at}, p)
			in.Cell = uint64(tc.cell)
			if got := strings.Join(p.Engine.Classify(in).Matched, " "); got != tc.want {
				t.Errorf("matched %q, want %q", got, tc.want)
			}
		})
	}
}

// neighbourIn returns a resolution-9 cell other than c.Cell in c.Cell7.
func neighbourIn(t *testing.T, c geo.Cells) cityops.Cell {
	t.Helper()
	for _, d := range [][2]float64{{0.002, 0}, {-0.002, 0}, {0, 0.002}, {0, -0.002}} {
		n, err := geo.CellsOf(30.62+d[0], 117.07+d[1])
		if err != nil {
			t.Fatal(err)
		}
		if n.Cell != c.Cell && n.Cell7 == c.Cell7 {
			return n.Cell
		}
	}
	t.Fatal("no neighbour in the same resolution-7 cell")
	return 0
}

func TestCellConditionErrors(t *testing.T) {
	for _, tc := range []struct{ name, when, want string }{
		{"not hex", `in_cell(cell, "zz")`, `"zz" is not an H3 cell`},
		{"not a cell", `in_cell(cell, "8000000000000000")`, "is not an H3 cell"},
		{"too fine", `in_cell(cell, "8b309a2a5a5cfff")`, "has resolution 11"},
		{"not a literal", `in_cell(cell, text)`, "must be a quoted H3 index"},
		{"wrong argument type", `in_cell(area, "87309a2a5ffffff")`, "in_cell"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := "groups:\n  - name: g\n    rules:\n      - id: a\n        when: '" + tc.when + "'\n"
			_, err := rules.Load(demoWith(t, map[string]string{"rules/iot.yaml": file}))
			if err == nil || !strings.Contains(err.Error(), "rules/iot.yaml:4:") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want rules/iot.yaml:4: ... %s", err, tc.want)
			}
		})
	}
}
