package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityops/cityops/internal/realdata"
)

func TestPackCommands(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.ndjson")
	err := os.WriteFile(events, []byte(`{"id":"e1","source":"hotline","type":"complaint","text":"路面破损 紧急","lat":30.62,"lon":117.07,"time":"2026-07-01T02:00:00Z"}
{"id":"e2","source":"iot","type":"water_level","value":0.5,"lat":30.62,"lon":117.07,"time":"2026-07-01T02:00:00Z"}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// The first point lies on the line between Brooklyn districts 311 and
	// 312, where the city recorded 312 for five past requests; geometry
	// alone says 311.
	nycEvents := filepath.Join(dir, "nyc.ndjson")
	err = os.WriteFile(nycEvents, []byte(`{"id":"n1","source":"hotline","type":"Noise - Residential","lat":40.61402964427997,"lon":-73.97399495034388,"time":"2024-07-01T02:00:00Z"}
{"id":"n2","source":"hotline","type":"Noise - Residential","lat":40.7484,"lon":-73.9857,"time":"2024-07-01T02:00:00Z"}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	learned := filepath.Join(dir, "nyc")
	data, _ := realdata.Dir()
	data += string(filepath.Separator)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // in stdout, or stderr when the command fails
	}{
		{"check the demo", []string{"pack", "check", "../../deploy/demo/city"}, 0, []string{"ok: 14 categories"}},
		{"check a missing pack", []string{"pack", "check", dir}, 1, []string{"pack.yaml"}},
		{"check the demo against the national catalogue", []string{"pack", "check", "../../deploy/demo/city", "--national", data + "categories/urban_mgmt_categories.csv"}, 0,
			[]string{"every category's code and name are in"}},
		{"rules test", []string{"rules", "test", "../../deploy/demo/city", events}, 0,
			[]string{`"id":"e1"`, `"category":"06013"`, `"matched":["hotline.road","hotline.urgent-words"]`, `"matched":["iot.water_level.deep"]`}},
		{"learn", []string{"pack", "learn", "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311",
			"--areas", data + "geo/nyc/community_districts.geojson", "--area-key", "BoroCD", "--out", learned}, 0, []string{"17 departments"}},
		{"learn another layout through a mapping", []string{"pack", "learn", "--requests", "../../rules/learn/testdata/other_city.csv",
			"--mapping", "../../rules/learn/testdata/other_city.mapping.yaml", "--areas", data + "geo/nyc/community_districts.geojson",
			"--area-key", "BoroCD", "--out", filepath.Join(dir, "other")}, 0, []string{"3 departments", "from 4 requests"}},
		{"check the learned pack", []string{"pack", "check", learned}, 0, []string{"ok:", "boundary tie-breaks"}},
		{"rules test places by the learned tie-breaks", []string{"rules", "test", learned, nycEvents}, 0,
			[]string{`"id":"n1","area":"312","placed_by":"spot"`, `"id":"n2","area":"105","category"`}},
		{"the learned pack's request types are not national categories", []string{"pack", "check", "--national", data + "categories/urban_mgmt_categories.csv", learned}, 1,
			[]string{"categories.yaml:4: categories[0].code: event T0001 is not in the national catalogue"}},
		{"eval", []string{"pack", "eval", learned, "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311"}, 0,
			[]string{"tie-broken by spot", "area misses by kind", "\narea_geometry=98.9", "\nagency=9"}},
		{"learn and cross-validate", []string{"pack", "learn", "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311",
			"--areas", data + "geo/nyc/community_districts.geojson", "--area-key", "BoroCD", "--out", filepath.Join(dir, "cv"), "--folds", "5"}, 0,
			[]string{"5-fold cross-validation", "fold 4: 1395 records", "street-only locations on a boundary: recorded at bearing 270", "tie-broken by side", "\narea_geometry=98.94% area=99.57%", "\nagency=98.9% area=99.6%\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Cases on the real data, and on the pack learned from it,
			// skip without it.
			if args := strings.Join(tc.args, " "); strings.Contains(args, data) || strings.Contains(args, learned) {
				realdata.Require(t)
			}
			var out, errb bytes.Buffer
			code := run(t.Context(), tc.args, &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			got := out.String()
			if code != 0 {
				got = errb.String()
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output does not say %q:\n%s", w, got)
				}
			}
		})
	}
}
