package rules_test

import (
	"strings"
	"testing"

	"github.com/cityops/cityops/rules"
)

func TestDemoAlarmsAndMerge(t *testing.T) {
	p := loadDemo(t)
	if len(p.Alarms) != 5 {
		t.Errorf("demo pack has %d alarm types, want 5", len(p.Alarms))
	}
	if p.Merge.Window.Hours() != 2 || len(p.Merge.Fusion) != 3 || p.Merge.Fusion[0].Window.Hours() != 3 {
		t.Errorf("demo merge config: %+v", p.Merge)
	}
}

func TestLoadRejectsBadAlarms(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                []string
	}{
		{"no clear", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: value > 1\n", []string{"alarms.yaml:2:", "hysteresis"}},
		{"bad raise", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: value >>> 1\n    clear: value < 1\n", []string{"alarms.yaml:2:", "raise"}},
		{"unknown variable", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: colour > 1\n    clear: value < 1\n", []string{"alarms.yaml:2:", "colour"}},
		{"count without window", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: value > 1\n    clear: value < 1\n    count: 3\n", []string{"within"}},
		{"bad window", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: value > 1\n    clear: value < 1\n    count: 3\n    within: soon\n", []string{"within", "soon"}},
		{"no types", "alarms.yaml", "alarms:\n  - id: a\n    raise: value > 1\n    clear: value < 1\n", []string{"types"}},
		{"unknown field", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    colour: red\n", []string{"alarms.yaml:2:", "colour"}},
		{"offline without after", "alarms.yaml", "alarms:\n  - id: a\n    kind: offline\n    types: [noise]\n", []string{"after"}},
		{"offline with raise", "alarms.yaml", "alarms:\n  - id: a\n    kind: offline\n    types: [noise]\n    after: 5m\n    raise: value > 1\n", []string{"only after"}},
		{"bad kind", "alarms.yaml", "alarms:\n  - id: a\n    kind: sometimes\n    types: [noise]\n", []string{"kind"}},
		{"unknown category", "alarms.yaml", "alarms:\n  - id: a\n    types: [noise]\n    raise: value > 1\n    clear: value < 1\n    category: '42'\n", []string{"unknown category"}},
		{"duplicate", "alarms.yaml", "alarms:\n  - id: a\n    kind: offline\n    types: [noise]\n    after: 5m\n  - id: a\n    kind: offline\n    types: [noise]\n    after: 5m\n", []string{"alarms.yaml:6:", "duplicate"}},
		{"fusion names unknown alarm", "merge.yaml", "window: 1h\nfusion:\n  - id: f\n    alarms: [nope]\n    categories: ['0111']\n", []string{"merge.yaml:3:", "unknown alarm type \"nope\""}},
		{"fusion names unknown category", "merge.yaml", "fusion:\n  - id: f\n    alarms: [manhole.tilt]\n    categories: ['42']\n", []string{"merge.yaml:2:", "unknown category"}},
		{"unknown fusion field", "merge.yaml", "fusion:\n  - id: f\n    alarms: [manhole.tilt]\n    categories: ['01003']\n    radius: 3\n", []string{"merge.yaml:2:", "radius"}},
		{"bad merge window", "merge.yaml", "window: -1h\n", []string{"merge.yaml", "window"}},
		{"bad reopen window", "merge.yaml", "reopen:\n  window: 7d\n", []string{"merge.yaml", "reopen.window", "7d"}},
		{"reopen window of an unknown category", "merge.yaml", "reopen:\n  categories: {'42': 24h}\n", []string{"merge.yaml", "reopen.categories", "unknown category"}},
		{"unknown reopen field", "merge.yaml", "reopen:\n  days: 7\n", []string{"merge.yaml", "days"}},
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

func TestServiceCodes(t *testing.T) {
	p := loadDemo(t)
	if c, ok := p.ServiceCategory("pothole"); !ok || c.Code != "06013" {
		t.Errorf("pothole: %+v, %v", c, ok)
	}
	if _, ok := p.ServiceCategory("unicorns"); ok {
		t.Error("an unknown service code named a category")
	}
	for _, tc := range []struct{ content, want string }{
		{"- {code: '1', kind: part, name: a, service_code: x}\n- {code: '2', kind: part, name: b, service_code: x}\n", "also names category 1"},
		{"- {code: '1', kind: part, name: a, service_code: 'a b'}\n", "categories[0].service_code"},
	} {
		_, err := rules.Load(withFile(t, "categories.yaml", tc.content))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one saying %q", err, tc.want)
		}
	}
}

func TestAlarmLimits(t *testing.T) {
	for _, tt := range []struct {
		raise, clear string
		r, c         float64
		rok, cok     bool
	}{
		{"value >= 0.15", "value < 0.05", 0.15, 0.05, true, true},
		{"value >= 70 || (value >= 55 && (hour >= 22 || hour < 6))", "value < 50", 70, 50, true, true},
		{"has_rate && rate >= 0.5", "has_rate && rate <= 0.05", 0, 0, false, false},
		{"value > -3", "", -3, 0, true, false},
	} {
		d := &rules.AlarmDef{Raise: tt.raise, Clear: tt.clear}
		r, rok, c, cok := d.Limits()
		if r != tt.r || rok != tt.rok || c != tt.c || cok != tt.cok {
			t.Errorf("%q / %q: %v %v %v %v", tt.raise, tt.clear, r, rok, c, cok)
		}
	}
}
