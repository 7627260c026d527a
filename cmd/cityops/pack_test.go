package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityops/cityops/deploy/realdata"
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
{"id":"n3","source":"hotline","type":"Graffiti","text":"Graffiti: Police Report Not Requested","lat":40.7484,"lon":-73.9857,"time":"2024-07-01T02:00:00Z"}
{"id":"n4","source":"hotline","type":"Noise - Park Bench","lat":40.7484,"lon":-73.9857,"time":"2024-07-01T02:00:00Z"}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// The example layout of ingest/replay/testdata, its rows good ones.
	exampleCSV := filepath.Join(dir, "example.csv")
	err = os.WriteFile(exampleCSV, []byte(`case_id,reported_at,closed_at,kind,detail,y,x,dept,dept_name,district
1,2026-06-30 09:00:00,2026-06-30 12:00:00,垃圾,小区门口垃圾成堆,30.61,117.05,sanitation,市容环境局,d1
2,2026-06-30 09:00:00,2026-06-29 12:00:00,噪声,夜间施工,30.61,117.05,ecology,生态环境局,d1
3,2026-06-30 09:00:00,,占道,小贩,30.62,117.06,roads,建设交通委,d2
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	learned := filepath.Join(dir, "nyc")
	data, _ := realdata.Dir()
	data += string(filepath.Separator)
	const example = "../../ingest/replay/testdata/city"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // in stdout, or stderr when the command fails
	}{
		{"check the demo", []string{"pack", "check", "../../deploy/demo/city"}, 0, []string{"ok: 14 categories"}},
		{"check a missing pack", []string{"pack", "check", dir}, 1, []string{"pack.yaml"}},
		{"learn without arguments prints every flag", []string{"pack", "learn"}, 2,
			[]string{"usage: cityops pack learn --requests", "-areas string", "optional", "-area-key string", "-mapping string", "-name string"}},
		{"eval without arguments prints every flag", []string{"pack", "eval"}, 2, []string{"usage: cityops pack eval DIR", "-requests string", "-top int"}},
		{"learn --help", []string{"pack", "learn", "--help"}, 0, nil},
		// One mapping file for replay, learn and eval.
		{"replay the example through its mapping", []string{"replay", example + ".csv", "--mapping", example + ".mapping.yaml", "--dry-run"}, 0,
			[]string{"9 rows, 3 sent", "data-quality warnings (rows kept and sent): 1", "closed_at"}},
		{"learn agency routing alone from the same mapping", []string{"pack", "learn", "--requests", exampleCSV, "--mapping", example + ".mapping.yaml",
			"--out", filepath.Join(dir, "example")}, 0, []string{"(Example City)", "3 departments", "warning: no areas given"}},
		{"the learned pack loads", []string{"pack", "check", filepath.Join(dir, "example")}, 0, []string{"ok:"}},
		{"eval without areas says so", []string{"pack", "eval", filepath.Join(dir, "example"), "--requests", exampleCSV, "--mapping", example + ".mapping.yaml"}, 0,
			[]string{"area: not measured", "agency=100.0% area=not measured"}},
		{"an unknown mapping key", []string{"pack", "learn", "--requests", example + ".csv", "--mapping", "testdata/config/../../../../ingest/replay/testdata/city.want", "--out", dir}, 1,
			[]string{"mapping: line 1"}},
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
			[]string{`"id":"n1","area":"312","placed_by":"spot"`, `"id":"n2","area":"105","category"`,
				// replay's text, type and descriptor, meets the descriptor's rule
				`"category_name":"Graffiti: Police Report Not Requested","matched":["desc.`,
				// a type never seen goes by the types it resembles
				`"category_name":"unseen type: a type beginning \"noise\"","matched":["near.`}},
		{"the learned pack's request types are not national categories", []string{"pack", "check", "--national", data + "categories/urban_mgmt_categories.csv", learned}, 1,
			[]string{"categories.yaml:6: categories[0].code: event T0001 is not in the national catalogue"}},
		{"eval", []string{"pack", "eval", learned, "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311"}, 0,
			[]string{"tie-broken by spot", "area misses by kind", "\narea_geometry=98.9", "\nagency=9"}},
		{"learn and cross-validate", []string{"pack", "learn", "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311",
			"--areas", data + "geo/nyc/community_districts.geojson", "--area-key", "BoroCD", "--out", filepath.Join(dir, "cv"), "--folds", "5"}, 0,
			[]string{"5-fold cross-validation", "fold 4: 1395 records", "street-only locations on a boundary: recorded at bearing 270", "tie-broken by side", "\narea_geometry=98.94% area=99.57%", "\nagency=99.1% area=99.6%\n"}},
		{"a wrong area key lists the properties", []string{"pack", "learn", "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311",
			"--areas", data + "geo/nyc/community_districts.geojson", "--area-key", "BoroCode", "--out", filepath.Join(dir, "wrong")}, 1,
			[]string{`feature 0 has no "BoroCode" property; it has: BoroCD, Shape_Area, Shape_Leng; these look like ids (a distinct value on every feature): BoroCD`}},
		{"an area key that matches no record warns", []string{"pack", "learn", "--requests", data + "nyc311/nyc311_dev.csv", "--format", "nyc311",
			"--areas", data + "geo/nyc/community_districts.geojson", "--area-key", "Shape_Leng", "--out", filepath.Join(dir, "unmatched")}, 0,
			[]string{"warning: no recorded area matched an area of the boundary file", "warning: 0 boundary tie-breaks"}},
		{"eval tells ids missing from the boundary file", []string{"pack", "eval", filepath.Join(dir, "unmatched"), "--requests", data + "nyc311/nyc311_dev.csv"}, 0,
			[]string{"6688 whose area id is not in the boundary file", "area ids recorded but not in the boundary file", "agency=99.6% area=not measured"}},
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
			if tc.name == "the learned pack loads" {
				b, err := os.ReadFile(filepath.Join(dir, "example", "departments.yaml"))
				if err != nil || !strings.Contains(string(b), "name: 市容环境局") {
					t.Errorf("departments are not named from the agency_name column: %s %v", b, err)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output does not say %q:\n%s", w, got)
				}
			}
		})
	}
}

// realDataDir returns the directory of the shared real data, with a
// slash: $CITYOPS_TESTDATA, or ../shared/data beside the repository.
func realDataDir() (string, bool) {
	dir := os.Getenv("CITYOPS_TESTDATA")
	if dir == "" {
		dir = "../../../shared/data"
	}
	_, err := os.Stat(dir)
	return dir + "/", err == nil
}

// skipWithoutData skips a test that needs the real data, saying how to
// give it; under CI, which must run it, it fails.
func skipWithoutData(t *testing.T) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("the real data is missing under CI: set CITYOPS_TESTDATA")
	}
	t.Skip("skipped: the real public data is not here; set CITYOPS_TESTDATA to its directory")
}
