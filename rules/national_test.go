package rules_test

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
)

func readNational(t *testing.T) []rules.NationalCategory {
	t.Helper()
	f := realdata.Open(t, "categories/urban_mgmt_categories.csv")
	nat, err := rules.ReadNational(f)
	if err != nil {
		t.Fatal(err)
	}
	return nat
}

func TestReadNational(t *testing.T) {
	nat := readNational(t)
	parts, events := 0, 0
	for _, n := range nat {
		switch n.Kind {
		case cityops.KindPart:
			parts++
		case cityops.KindEvent:
			events++
		}
	}
	// The file has 251 part and 193 event rows; 7 and 6 of them name a
	// major class only.
	if parts != 244 || events != 187 {
		t.Errorf("%d parts and %d events, want 244 and 187", parts, events)
	}
	if n := nat[0]; n.Code != "01001" || n.Name != "供水井盖" || !strings.Contains(n.MajorName, "GB/T 47678.5-2026") {
		t.Errorf("first entry: %+v", n)
	}
}

func TestReadNationalErrors(t *testing.T) {
	const head = "kind,major_code,major_name,sub_code,sub_name,department,deadline\n"
	for _, tc := range []struct{ name, csv, want string }{
		{"missing column", "kind,sub_code,sub_name\n", "major_code"},
		{"bad kind", head + "part,01,x,01001,a,,\nthing,01,x,01002,b,,\n", "catalogue line 3: kind"},
		{"no code", head + "event,06,x,,（大类）,,\nevent,,x,,a,,\n", "catalogue line 3: sub_code"},
		{"no name", head + "event,06,x,06001,,,\n", "catalogue line 2: sub_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.ReadNational(strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, cityops.ErrInvalid) {
				t.Errorf("error %v, want an invalid-input error saying %q", err, tc.want)
			}
		})
	}
}

// TestDemoCatalogueIsNational checks the demo city's catalogue against the
// real national list: every code and name is the standard's.
func TestDemoCatalogueIsNational(t *testing.T) {
	nat := readNational(t)
	if err := rules.CheckNational(demo.City(), nat); err != nil {
		t.Fatalf("the demo catalogue strays from the national one: %v", err)
	}
	cats, err := fs.ReadFile(demo.City(), "categories.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(cats), "name: 暴露垃圾", "name: 垃圾", 1) + "- {code: \"99999\", kind: event, name: 外星人, name_en: Aliens}\n"
	err = rules.CheckNational(demoWith(t, map[string]string{"categories.yaml": bad}), nat)
	lines := strings.Count(string(cats), "\n")
	for _, want := range []string{"is 暴露垃圾 in the national catalogue, not 垃圾", "event 99999 is not in the national catalogue",
		"categories.yaml:" + strconv.Itoa(lines+1) + ": categories["} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
