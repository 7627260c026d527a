package geo

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cityops/cityops"
)

const nycDistricts = "geo/nyc/community_districts.geojson"

// nycPoint is a 311 request's location and the community district the city
// recorded for it (0 when it recorded none).
type nycPoint struct {
	lat, lon float64
	boroCD   int
}

// nycPoints reads the located requests of the NYC 311 extract.
func nycPoints(t testing.TB) []nycPoint {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(readShared(t, "nyc311/nyc311_dev.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	boroughs := map[string]int{"MANHATTAN": 1, "BRONX": 2, "BROOKLYN": 3, "QUEENS": 4, "STATEN ISLAND": 5}
	var pts []nycPoint
	for _, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(row[col["longitude"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		p := nycPoint{lat: lat, lon: lon}
		// "07 MANHATTAN" is BoroCD 107; "Unspecified QUEENS" has none.
		if num, boro, ok := strings.Cut(row[col["community_board"]], " "); ok {
			if n, err := strconv.Atoi(num); err == nil && boroughs[boro] > 0 {
				p.boroCD = boroughs[boro]*100 + n
			}
		}
		pts = append(pts, p)
	}
	return pts
}

func loadNYC(t testing.TB) (*Index, []byte) {
	t.Helper()
	data := readShared(t, nycDistricts)
	ix, err := NewIndex(data, Options{IDProp: "BoroCD", Level: cityops.LevelDistrict})
	if err != nil {
		t.Fatal(err)
	}
	return ix, data
}

// TestNYCAgreesWithBruteForce checks every 311 location against ray casting
// over all 71 community districts, then compares with the district the city
// recorded.
func TestNYCAgreesWithBruteForce(t *testing.T) {
	ix, data := loadNYC(t)
	brute := loadBrute(t, data, "BoroCD")
	if n := len(ix.Areas()); n != 71 {
		t.Fatalf("got %d districts, want 71", n)
	}
	pts := nycPoints(t)
	if len(pts) == 0 {
		t.Fatal("no located requests")
	}
	var agree, located, recorded, match, onBoundary int
	for _, p := range pts {
		got, gotOK := ix.Locate(p.lat, p.lon)
		want, wantOK := brute.locate(p.lat, p.lon)
		if got == want && gotOK == wantOK {
			agree++
		} else {
			t.Errorf("Locate(%v, %v) = %q, %v; brute force %q, %v", p.lat, p.lon, got, gotOK, want, wantOK)
		}
		if gotOK {
			located++
		}
		if ix.onBoundaryCell(p.lat, p.lon) {
			onBoundary++
		}
		if p.boroCD != 0 {
			recorded++
			if got == strconv.Itoa(p.boroCD) {
				match++
			}
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(b) }
	t.Logf("%d located requests: agreement with brute force %d (%.2f%%); inside a district %d (%.2f%%); on boundary cells %d (%.2f%%)",
		len(pts), agree, pct(agree, len(pts)), located, pct(located, len(pts)), onBoundary, pct(onBoundary, len(pts)))
	t.Logf("community board recorded for %d: located district matches it for %d (%.2f%%)", recorded, match, pct(match, recorded))
	t.Logf("grid: %s", ix.grid.stats())
}

// TestNYCHardPoints checks points the grid finds hardest against brute
// force: polygon vertices, edge midpoints, points a hair off them, and
// random points over the whole box.
func TestNYCHardPoints(t *testing.T) {
	ix, data := loadNYC(t)
	brute := loadBrute(t, data, "BoroCD")
	rng := rand.New(rand.NewPCG(1, 2))
	var pts [][2]float64 // [lat, lon]
	step := 7
	if testing.Short() {
		step = 97
	}
	for _, mp := range brute.polys {
		for _, poly := range mp {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i += step {
					a, b := ring[i], ring[i+1]
					pts = append(pts,
						[2]float64{a[1], a[0]},
						[2]float64{(a[1] + b[1]) / 2, (a[0] + b[0]) / 2},
						[2]float64{math.Nextafter(a[1], 90), a[0]},
						[2]float64{a[1], math.Nextafter(a[0], -180)},
						[2]float64{a[1] + (rng.Float64()-0.5)*1e-6, a[0] + (rng.Float64()-0.5)*1e-6},
					)
				}
			}
		}
	}
	bb := ix.BBox()
	for range 20000 {
		pts = append(pts, [2]float64{bb[1] + rng.Float64()*(bb[3]-bb[1]), bb[0] + rng.Float64()*(bb[2]-bb[0])})
	}
	bad := 0
	for _, p := range pts {
		got, gotOK := ix.Locate(p[0], p[1])
		want, wantOK := brute.locate(p[0], p[1])
		if got != want || gotOK != wantOK {
			if bad++; bad <= 10 {
				t.Errorf("Locate(%v, %v) = %q, %v; brute force %q, %v", p[0], p[1], got, gotOK, want, wantOK)
			}
		}
	}
	t.Logf("%d points, %d disagreements", len(pts), bad)
}
