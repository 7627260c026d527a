package rules_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
)

func loadDemo(t testing.TB) *rules.Pack {
	t.Helper()
	p, err := rules.Load(demo.City())
	if err != nil {
		t.Fatalf("loading the demo pack: %v", err)
	}
	return p
}

func TestClassifyDemo(t *testing.T) {
	p := loadDemo(t)
	b, err := os.ReadFile("testdata/demo_decisions.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string        `json:"name"`
		Event    cityops.Event `json:"event"`
		Category string        `json:"category"`
		Severity int           `json:"severity"`
		Matched  []string      `json:"matched"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			d := p.Engine.Classify(rules.NewInput(&tc.Event, p))
			if d.Category != tc.Category {
				t.Errorf("category: got %q, want %q", d.Category, tc.Category)
			}
			if d.Severity != tc.Severity {
				t.Errorf("severity: got %d, want %d", d.Severity, tc.Severity)
			}
			if !slices.Equal(d.Matched, tc.Matched) {
				t.Errorf("matched: got %q, want %q", d.Matched, tc.Matched)
			}
		})
	}
}

func TestDemoPackContents(t *testing.T) {
	p := loadDemo(t)
	if p.Location.String() != "Asia/Shanghai" || p.CRS != "WGS-84" {
		t.Errorf("got zone %s crs %s", p.Location, p.CRS)
	}
	if len(p.Categories) < 10 || len(p.Departments) < 7 || len(p.Devices) < 20 || p.Engine.Rules() < 15 {
		t.Errorf("pack too small: %d categories, %d departments, %d devices, %d rules",
			len(p.Categories), len(p.Departments), len(p.Devices), p.Engine.Rules())
	}
}
