package learn_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/learn"
)

// twoAreas are two squares side by side, with ids in "code" and names in
// "label_name".
const twoAreas = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":1,"label_name":"West","area_m2":12.5},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
{"type":"Feature","properties":{"code":2,"label_name":"East","area_m2":12.5},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}`

func synthetic() []learn.Record {
	var recs []learn.Record
	add := func(n int, typ, agency string) {
		for range n {
			recs = append(recs, learn.Record{Type: typ, Agency: agency, AgencyName: agency + " department", Lat: 0.5, Lon: 0.5, HasLoc: true, Area: "1"})
		}
	}
	add(20, "Illegal Parking", "POLICE")
	// One on the boundary between the two areas, recorded in the west.
	recs = append(recs, learn.Record{Type: "Illegal Parking", Agency: "POLICE", Lat: 0.5, Lon: 0.99999, HasLoc: true, Area: "1"})
	add(5, "Noise - Residential", "POLICE")
	add(3, "Noise - Street/Sidewalk", "POLICE")
	add(4, "Noise", "ENV")
	add(6, "HEAT/HOT WATER", "HOUSING")
	add(4, "PLUMBING", "HOUSING")
	add(2, "PAINT/PLASTER", "HOUSING")
	add(3, "Dead Tree", "PARKS")
	add(3, "Overgrown Tree/Branches", "PARKS")
	add(3, "PW101 Pothole", "ROADS")
	add(2, "PW102 Cave-in", "ROADS")
	return recs
}

func learnPack(t *testing.T, recs []learn.Record, opt learn.Options) (*learn.Learned, *rules.Pack) {
	t.Helper()
	l, err := learn.Learn(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := l.Write(dir); err != nil {
		t.Fatal(err)
	}
	p, err := rules.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return l, p
}

// TestUnseenTypes routes request types never seen in training by the seen
// types they resemble, and the rest to the city-wide department.
func TestUnseenTypes(t *testing.T) {
	_, p := learnPack(t, synthetic(), learn.Options{Name: "Synthetic", Areas: []byte(twoAreas), AreaKey: "code"})
	for _, tc := range []struct{ typ, want string }{
		{"Noise - Park", "POLICE"},   // the longest shared leading words: "noise"
		{"APPLIANCE", "HOUSING"},     // written in capitals, as the housing department writes its types
		{"Damaged Tree", "PARKS"},    // a shared word
		{"PW104 Sinkhole", "ROADS"},  // a shared code prefix
		{"Something Else", "POLICE"}, // nothing alike: the city-wide department
		{"Noise", "ENV"},             // a seen type keeps its own rule
		{"noise - residential", "POLICE"},
	} {
		rep, err := learn.Eval(p, []learn.Record{{Type: tc.typ, Agency: tc.want, Lat: 0.5, Lon: 0.5, HasLoc: true, Area: "1"}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.AgencyOK != 1 {
			t.Errorf("%q: routed elsewhere than %s: %v", tc.typ, tc.want, rep.Disagreements)
		}
	}
	rep, _ := learn.Eval(p, []learn.Record{{Type: "Noise - Park", Agency: "POLICE"}, {Type: "Something Else", Agency: "POLICE"}, {Type: "Noise", Agency: "ENV"}})
	if rep.Unseen != 2 || rep.UnseenNear != 1 || rep.UnseenOK != 2 {
		t.Errorf("unseen %d, near %d, right %d; want 2, 1, 2", rep.Unseen, rep.UnseenNear, rep.UnseenOK)
	}
	var b strings.Builder
	rep.Print(&b, 5)
	if !strings.Contains(b.String(), "unseen types (no rule names them): 2 records, 1 routed by the types they resemble") ||
		!strings.HasSuffix(b.String(), "agency=100.0% area=not measured\n") {
		t.Errorf("report:\n%s", b.String())
	}
}

// TestLearnAreas names and levels the areas from the boundary file, and
// explains a key that is wrong or matches no record.
func TestLearnAreas(t *testing.T) {
	l, p := learnPack(t, synthetic(), learn.Options{Name: "Synthetic", Areas: []byte(twoAreas), AreaKey: "code"})
	if len(l.Warnings) != 0 {
		t.Errorf("warnings: %q", l.Warnings)
	}
	if s := string(l.Areas); !strings.Contains(s, `"name":"West"`) || !strings.Contains(s, `"level":"district"`) {
		t.Errorf("areas: %s", s)
	}
	if p.Name != "Synthetic" || len(p.Departments) != 5 || p.Departments[0].Name != "ENV department" {
		t.Errorf("pack %q, departments %+v", p.Name, p.Departments)
	}

	_, err := learn.Learn(synthetic(), learn.Options{Areas: []byte(twoAreas), AreaKey: "id"})
	if want := `feature 0 has no "id" property; it has: area_m2, code, label_name; these look like ids (a distinct value on every feature): code, label_name`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one saying %s", err, want)
	}

	l, p = learnPack(t, synthetic(), learn.Options{Areas: []byte(twoAreas), AreaKey: "label_name"})
	if len(l.Warnings) == 0 || !strings.Contains(l.Warnings[0], `no recorded area matched an area of the boundary file: the records say ["1"], the boundary file's "label_name" property says ["East" "West"]`) {
		t.Errorf("warnings: %q", l.Warnings)
	}
	rep, err := learn.Eval(p, synthetic())
	if err != nil {
		t.Fatal(err)
	}
	if rep.AreaUnknown != len(synthetic()) || rep.AreaMeasured() {
		t.Errorf("area unknown %d, measured %v", rep.AreaUnknown, rep.AreaMeasured())
	}

	l, p = learnPack(t, synthetic(), learn.Options{Name: "No areas"})
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "no areas given") || len(p.Departments) != 5 {
		t.Errorf("without areas: warnings %q, %d departments", l.Warnings, len(p.Departments))
	}
}
