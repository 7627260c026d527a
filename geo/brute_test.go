package geo

import (
	"encoding/json"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/realdata"
)

// bruteAreas is the reference the index is checked against: every feature's
// rings as the file has them, searched one by one with plain ray casting.
type bruteAreas struct {
	ids    []string
	ranks  []int              // level rank: the finest containing area wins
	polys  [][][][][2]float64 // feature, polygon, ring, position [lon, lat]
	yRange [][][][2]float64   // feature, polygon, ring: [min lat, max lat]
}

// loadBrute reads a FeatureCollection without the package's reader. Areas
// without a "level" property are taken to be streets.
func loadBrute(t testing.TB, data []byte, idProp string) *bruteAreas {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties map[string]json.RawMessage
			Geometry   struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	b := &bruteAreas{}
	for _, f := range fc.Features {
		id, err := propString(f.Properties[idProp])
		if err != nil {
			t.Fatal(err)
		}
		var mp [][][][2]float64
		if f.Geometry.Type == "Polygon" {
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				t.Fatal(err)
			}
			mp = [][][][2]float64{p}
		} else if err := json.Unmarshal(f.Geometry.Coordinates, &mp); err != nil {
			t.Fatal(err)
		}
		level, err := propString(f.Properties["level"])
		if err != nil {
			t.Fatal(err)
		}
		if level == "" {
			level = "street"
		}
		b.ids = append(b.ids, id)
		b.ranks = append(b.ranks, levelRank(cityops.AreaLevel(level)))
		b.polys = append(b.polys, mp)
		yr := make([][][2]float64, len(mp))
		for pi, poly := range mp {
			for _, ring := range poly {
				lo, hi := ring[0][1], ring[0][1]
				for _, p := range ring {
					lo, hi = min(lo, p[1]), max(hi, p[1])
				}
				yr[pi] = append(yr[pi], [2]float64{lo, hi})
			}
		}
		b.yRange = append(b.yRange, yr)
	}
	return b
}

// locate tests every feature by PNPOLY (even-odd over each polygon's rings,
// the outer and its holes) and returns the finest containing one, the first
// among equals.
func (b *bruteAreas) locate(lat, lon float64) (string, bool) {
	best := -1
	for i, mp := range b.polys {
		if best >= 0 && b.ranks[i] <= b.ranks[best] {
			continue
		}
		for pi, poly := range mp {
			if pnpoly(poly, b.yRange[i][pi], lon, lat) {
				best = i
				break
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return b.ids[best], true
}

// pnpoly is W. R. Franklin's test over all rings of one polygon. Only rings
// whose latitude range [lo, hi) holds y can be crossed, so others are skipped.
func pnpoly(rings [][][2]float64, yRange [][2]float64, x, y float64) bool {
	in := false
	for k, ring := range rings {
		if y < yRange[k][0] || y >= yRange[k][1] {
			continue
		}
		for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
			xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
			if (yi > y) != (yj > y) && x < float64(float64((xj-xi)*(y-yi))/(yj-yi))+xi {
				in = !in
			}
		}
	}
	return in
}

// readShared reads a file of the real test data (see deploy/realdata):
// without it the test is skipped, and fails under CI.
func readShared(t testing.TB, path string) []byte {
	t.Helper()
	return realdata.Read(t, path)
}
