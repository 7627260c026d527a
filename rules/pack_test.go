package rules_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
)

// withFile returns the demo pack with one file replaced.
func withFile(t *testing.T, name, content string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(demo.City(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(demo.City(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m[name] = &fstest.MapFile{Data: []byte(content)}
	return m
}

func TestLoadRejectsBadPacks(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                []string // every one must appear in the error
	}{
		{"unknown pack field", "pack.yaml", "name: x\nareas: areas.geojson\ncolour: red\n", []string{"pack.yaml", "colour"}},
		{"bad time zone", "pack.yaml", "name: x\ntime_zone: Mars/Base\nareas: a\ncategories: c\ndepartments: d\nmatrix: m\n", []string{"time_zone", "Mars/Base"}},
		{"bad crs", "pack.yaml", "name: x\ncrs: EPSG:3857\nareas: a\ncategories: c\ndepartments: d\nmatrix: m\n", []string{"crs"}},
		{"matrix names unknown things", "matrix.yaml", "default: nobody\nentries:\n  - {category: '999', area: mars, department: nasa}\n",
			[]string{"matrix.yaml:1: default: unknown department \"nobody\"", "matrix.yaml:3: entries[0].category", "category \"999\"", "area \"mars\"", "department \"nasa\""}},
		{"matrix cooperating departments", "matrix.yaml", "default: center\nentries:\n  - {category: '0111', department: water, cooperating: [water, nasa, zjw, zjw]}\n",
			[]string{"entries[0].cooperating[0]", "entries[0].cooperating[1]", "entries[0].cooperating[3]"}},
		{"duplicate category", "categories.yaml", "- {code: '1', kind: part, name: a}\n- {code: '1', kind: part, name: b}\n", []string{"categories.yaml:2: categories[1].code", "duplicate code"}},
		{"category kind", "categories.yaml", "# a comment first\n- {code: '1', kind: thing, name: a}\n", []string{"categories.yaml:2: categories[0].kind"}},
		{"duplicate service code", "categories.yaml", "- {code: '1', kind: part, name: a, service_code: x}\n-\n  code: '2'\n  kind: part\n  name: b\n  service_code: x\n",
			[]string{"categories.yaml:3: categories[1].service_code", "also names category 1"}},
		{"department without name", "departments.yaml", "- {id: a, name: A}\n- {id: b}\n", []string{"departments.yaml:2: departments[1].name"}},
		{"rule with bad expression", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        when: value >>> 3\n",
			[]string{"rules/iot.yaml:4:", "when", "rule a"}},
		{"rule with unknown field in expression", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        when: colour == 'red'\n",
			[]string{"rules/iot.yaml:4:", "colour"}},
		{"rule with unknown category", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        source: iot\n        category: '42'\n",
			[]string{"rules/iot.yaml:4:", "unknown category \"42\""}},
		{"rule with bad regex", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        regex: '(('\n", []string{"rules/iot.yaml:4:", "regex"}},
		{"duplicate rule id across files", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: hotline.garbage\n        source: iot\n",
			[]string{"duplicate rule id \"hotline.garbage\""}},
		{"rule without condition", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        category: '0111'\n", []string{"no condition"}},
		{"unknown rule field", "rules/iot.yaml", "groups:\n  - name: g\n    rules:\n      - id: a\n        sauce: iot\n", []string{"rules/iot.yaml:4:", "sauce"}},
		{"bad group mode", "rules/iot.yaml", "groups:\n  - name: g\n    mode: some\n    rules: []\n", []string{"groups[0].mode"}},
		{"device out of range", "devices.yaml", "- {id: a, type: noise, lat: 91, lon: 0}\n", []string{"devices.yaml:1: devices[0].lat"}},
		{"area without id", "areas.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}`, []string{"areas.geojson", "properties.id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Load(withFile(t, tc.file, tc.content))
			if err == nil {
				t.Fatal("loaded a bad pack")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestPackErrorsAreInvalid(t *testing.T) {
	_, err := rules.Load(withFile(t, "categories.yaml", "- {code: '', kind: part, name: a}\n"))
	if !errors.Is(err, cityops.ErrInvalid) {
		t.Errorf("error %v is not ErrInvalid", err)
	}
}
