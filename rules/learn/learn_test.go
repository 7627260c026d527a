package learn_test

import (
	"os"
	"testing"

	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/learn"
)

func nycRecords(t testing.TB) []learn.Record {
	t.Helper()
	f := realdata.Open(t, "nyc311/nyc311_dev.csv")
	recs, err := learn.ReadCSV(f, learn.NYC311)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func nycOptions(t testing.TB) learn.Options {
	t.Helper()
	areas := realdata.Read(t, "geo/nyc/community_districts.geojson")
	return learn.Options{Name: "New York City (learned)", TimeZone: "America/New_York", Areas: areas, AreaKey: "BoroCD"}
}

func TestCrossValidateNYC(t *testing.T) {
	recs := nycRecords(t)
	if len(recs) != 6978 {
		t.Fatalf("read %d records, want 6978", len(recs))
	}
	rep, folds, err := learn.CrossValidate(recs, nycOptions(t), 5, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var b testingWriter
	b.t = t
	rep.Print(&b, 15)
	for i, f := range folds {
		t.Logf("fold %d: %d records, agency=%.1f%% area_geometry=%.2f%% area=%.2f%%", i, f.Records, f.Agency(), f.AreaGeometry(), f.Area())
	}
	// The goals are 97% agency and 99.5% area. Agency reaches 98.9%: the
	// misses are types that two agencies share (Sewer and Water System
	// between DEP and the 311 desk) and types that occur once.
	//
	// Geometry alone places 98.9% (67 misses of 6,332). NYC geocodes
	// addresses to street centre lines and districts meet on those lines, so
	// near a boundary point in polygon is a coin toss; the learned
	// tie-breaks (same spot, same address, same side of the street in the
	// training folds) raise area to 99.2% (49 misses) and never overrule
	// geometry wrongly on this data. Most of what remained were
	// intersections on a boundary with no past request there: the learned
	// conventions for street-only locations (the city records the area to
	// the west of such a point, and seldom records parks at their edges)
	// take area to 99.57% (27 misses). They are rules of thumb, right for
	// 88% and 82% of the points they decide, not records of the spot. What
	// remains: 12 points on a boundary, 2 whose recorded area lies 10 m-1 km
	// off, and 13 (2018, mostly "01 BROOKLYN" for points across Brooklyn)
	// whose recorded area lies over 1 km away: errors of the record.
	if len(folds) != 5 {
		t.Fatalf("%d folds", len(folds))
	}
	if rep.Agency() < 98.5 || rep.AreaGeometry() < 98.5 || rep.Area() < 99.5 {
		t.Errorf("agency %.2f%%, area by geometry %.2f%%, area %.2f%%; reached 98.9%%, 98.9%% and 99.57%% before",
			rep.Agency(), rep.AreaGeometry(), rep.Area())
	}
	if rep.AreaOK <= rep.AreaGeometryOK {
		t.Errorf("the tie-breaks placed %d right, geometry alone %d", rep.AreaOK, rep.AreaGeometryOK)
	}
	for by, n := range rep.Tiebroken {
		least := 0.9 // the records of the spot, address or street side
		if by == rules.BySide || by == rules.BySeldom {
			least = 0.75 // a convention
		}
		if ok := rep.TiebrokenOK[by]; float64(ok) < least*float64(n) {
			t.Errorf("tie-broken by %s: %d of %d agree with the record", by, ok, n)
		}
	}
	if rep.Tiebroken[rules.BySide] == 0 || rep.Tiebroken[rules.BySeldom] == 0 {
		t.Errorf("the conventions placed nothing: %v", rep.Tiebroken)
	}
	if rep.AreaMisses[learn.MissRecord] < 10 || rep.AreaMisses[learn.MissBoundary] < 5 {
		t.Errorf("area misses by kind: %v", rep.AreaMisses)
	}
}

func TestLearnedPackLoads(t *testing.T) {
	l, err := learn.Learn(nycRecords(t), nycOptions(t))
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
	if len(p.Categories) < 100 || len(p.Departments) < 15 || p.Location.String() != "America/New_York" {
		t.Errorf("learned pack: %d categories, %d departments, zone %s", len(p.Categories), len(p.Departments), p.Location)
	}
	if n := p.Tiebreaks.Len(); n != len(l.Tiebreaks) || n < 300 {
		t.Errorf("learned %d boundary tie-breaks, the pack loaded %d", len(l.Tiebreaks), n)
	}
}

type testingWriter struct{ t testing.TB }

func (w *testingWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b[:len(b)-1]))
	return len(b), nil
}

// TestLearnBoundaries learns NYC's conventions for street-only locations:
// intersections on a district boundary are recorded in the district to
// their west, and the parks that have district codes of their own (Central
// Park 164, Prospect Park 355) are seldom recorded at their edges.
func TestLearnBoundaries(t *testing.T) {
	l, err := learn.Learn(nycRecords(t), nycOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	b := l.Boundaries
	if b.Side == nil || b.Side.Bearing != 270 || 2*b.Side.Agreed <= b.Side.Of || b.Side.Of < rules.MinSideSupport {
		t.Errorf("street-only side: %+v, want west agreeing with most", b.Side)
	}
	seldom := map[string]bool{}
	for _, s := range b.Seldom {
		seldom[s.Area] = true
		if s.Near < rules.MinSeldomSupport || float64(s.Recorded) >= rules.SeldomShare*float64(s.Near) {
			t.Errorf("%+v is not seldom recorded", s)
		}
	}
	for _, park := range []string{"164", "355"} {
		if !seldom[park] {
			t.Errorf("park %s is not among the seldom recorded areas %+v", park, b.Seldom)
		}
	}
	if len(b.Seldom) > 15 {
		t.Errorf("%d of 71 areas seldom recorded: %+v", len(b.Seldom), b.Seldom)
	}
}
