package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/cityops/cityops"
	"github.com/uber/h3-go/v4"
)

// BenchmarkLocate looks up the NYC 311 locations, and random points over the
// districts' box, one after another.
func BenchmarkLocate(b *testing.B) {
	ix, _ := loadNYC(b)
	pts := nycPoints(b)
	bb := ix.BBox()
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]nycPoint, len(pts))
	for i := range random {
		random[i] = nycPoint{lat: bb[1] + rng.Float64()*(bb[3]-bb[1]), lon: bb[0] + rng.Float64()*(bb[2]-bb[0])}
	}
	for _, bm := range []struct {
		name string
		pts  []nycPoint
	}{{"nyc311", pts}, {"random", random}} {
		b.Run(bm.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				p := bm.pts[i%len(bm.pts)]
				ix.Locate(p.lat, p.lon)
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}

// BenchmarkLocateParallel is BenchmarkLocate on every core.
func BenchmarkLocateParallel(b *testing.B) {
	ix, _ := loadNYC(b)
	pts := nycPoints(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			p := pts[i%len(pts)]
			ix.Locate(p.lat, p.lon)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkNewIndex loads the 71 NYC community districts (3.7 MB of GeoJSON,
// 83k vertices) from memory.
func BenchmarkNewIndex(b *testing.B) {
	data := readShared(b, nycDistricts)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := NewIndex(data, Options{IDProp: "BoroCD", Level: cityops.LevelDistrict}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLatLngToCell is the cgo H3 call an H3-keyed area lookup would
// need first, for comparison with BenchmarkLocate.
func BenchmarkLatLngToCell(b *testing.B) {
	pts := nycPoints(b)
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		h3.LatLngToCell(h3.NewLatLng(p.lat, p.lon), cityops.ResIncident)
		i++
	}
}

// BenchmarkBruteForce is plain ray casting over all districts, the
// reference Locate is checked against.
func BenchmarkBruteForce(b *testing.B) {
	_, data := loadNYC(b)
	brute := loadBrute(b, data, "BoroCD")
	pts := nycPoints(b)
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		brute.locate(p.lat, p.lon)
		i++
	}
}
