package geo

import (
	"testing"

	"github.com/uber/h3-go/v4"
)

// TestParentMatchesH3 checks the bit-layout parent against h3's own.
func TestParentMatchesH3(t *testing.T) {
	points := [][2]float64{{31.2304, 121.4737}, {40.7128, -74.0060}, {-33.8688, 151.2093}, {64.1466, -21.9426}}
	for _, p := range points {
		cs, err := CellsOf(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range []int{5, 7} {
			want := h3.Cell(cs.Cell).Parent(res)
			if got := Parent(cs.Cell, res); uint64(got) != uint64(want) {
				t.Errorf("%v res %d: got %x, want %x", p, res, uint64(got), uint64(want))
			}
		}
		if Resolution(cs.Cell) != 9 || Resolution(cs.Cell7) != 7 {
			t.Errorf("%v: resolutions %d/%d", p, Resolution(cs.Cell), Resolution(cs.Cell7))
		}
		b, err := Boundary(cs.Cell)
		if err != nil || len(b) < 5 {
			t.Errorf("%v: boundary %v, %v", p, b, err)
		}
	}
	if _, err := CellsOf(95, 0); err == nil {
		t.Error("latitude 95 was indexed")
	}
}
