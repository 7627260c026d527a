package geo

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestNear(t *testing.T) {
	data, err := os.ReadFile("testdata/two_squares.geojson")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The squares meet at longitude 0.01; on the equator 0.00001° is 1.1 m.
	tests := []struct {
		name        string
		lat, lon, m float64
		want        string
	}{
		{"middle of west", 0.005, 0.005, 10, "west"},
		{"5.6 m from the boundary, radius 10 m", 0.005, 0.00995, 10, "east west"},
		{"5.6 m from the boundary, radius 2 m", 0.005, 0.00995, 2, "west"},
		{"on the boundary", 0.005, 0.01, 1, "east west"},
		{"just outside every area", 0.005, -0.00002, 5, "west"},
		{"far outside", 1, 1, 100, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(ix.Near(tc.lat, tc.lon, tc.m), " "); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMetres(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"a thousandth of a degree of latitude", 40, -74, 40.001, -74, 111.32},
		{"a thousandth of a degree of longitude at 60°", 60, 10, 60, 10.001, 55.66},
		{"same point", 40.7, -73.9, 40.7, -73.9, 0},
	} {
		if got := Metres(tc.lat1, tc.lon1, tc.lat2, tc.lon2); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("%s: got %.3f m, want %.2f m", tc.name, got, tc.want)
		}
	}
}
