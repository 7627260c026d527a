package learn_test

import (
	"testing"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/learn"
)

// BenchmarkPlaceNYC places the NYC requests' points with the tie-breaks
// learned from all of them, as the processor would (no address), against
// geometry alone: the cost of the learned layer per event.
func BenchmarkPlaceNYC(b *testing.B) {
	recs := nycRecords(b)
	l, err := learn.Learn(recs, nycOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(l.Areas, geo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tb := rules.NewTiebreaks(l.Tiebreaks)
	var pts [][2]float64
	for _, r := range recs {
		if r.HasLoc {
			pts = append(pts, [2]float64{r.Lat, r.Lon})
		}
	}
	b.Run("geometry", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := pts[i%len(pts)]
			ix.Locate(p[0], p[1])
			i++
		}
	})
	b.Run("tiebreaks", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := pts[i%len(pts)]
			tb.Place(ix, p[0], p[1], rules.Site{})
			i++
		}
	})
}
