package rules_test

import (
	"strings"
	"testing"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// twoSquares meet at longitude 0.01, where 0.00001° is 1.1 m.
const twoSquares = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"west"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0.01,0],[0.01,0.01],[0,0.01],[0,0]]]}},
{"type":"Feature","properties":{"id":"east"},"geometry":{"type":"Polygon","coordinates":[[[0.01,0],[0.02,0],[0.02,0.01],[0.01,0.01],[0.01,0]]]}}]}`

func TestTiebreaksPlace(t *testing.T) {
	ix, err := geo.NewIndex([]byte(twoSquares), geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const lon = 0.00995 // 5.6 m west of the boundary
	tb := rules.NewTiebreaks([]rules.TiebreakEntry{
		{Lat: 0.005, Lon: lon, Area: "east"},
		{Lat: 0.00501, Lon: lon, Area: "east"}, // 1.1 m away: the same spot
		{Lat: 0.003, Lon: 0.00995, Area: "east", Address: "12 Main  street"},
		{Lat: 0.007, Lon: 0.0097, Area: "east", Address: "40 HARBOUR ROAD"},
		{Lat: 0.002, Lon: lon, Area: "west"},
		{Lat: 0.002, Lon: lon, Area: "east"},
		{Lat: 0.005, Lon: 0.005, Area: "east"}, // far from the boundary: never consulted
		{Lat: 0.008, Lon: lon, Area: "north"},  // not an area near the point: never chosen
	})
	for _, tc := range []struct {
		name     string
		lat, lon float64
		address  string
		want     string
		by       rules.Placement
	}{
		{"far from the boundary", 0.005, 0.005, "", "west", rules.ByGeometry},
		{"same spot as past requests", 0.005, lon, "", "east", rules.BySpot},
		{"a tie keeps the geometric area", 0.002, lon, "", "west", rules.BySpot},
		{"an area not near the point is never chosen", 0.008, lon, "", "west", rules.ByGeometry},
		{"same address 40 m from the boundary", 0.00699, 0.00965, "40 harbour road", "east", rules.ByAddress},
		{"same side of the street", 0.0035, lon, "14 MAIN STREET", "east", rules.ByStreet},
		{"other side of the street", 0.0035, lon, "13 MAIN STREET", "west", rules.ByGeometry},
		{"same side, too far along the street", 0.0045 + 0.0009, lon, "14 MAIN STREET", "west", rules.ByGeometry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, by := tb.Place(ix, tc.lat, tc.lon, rules.Site{Address: tc.address})
			if got != tc.want || by != tc.by {
				t.Errorf("got %s by %s, want %s by %s", got, by, tc.want, tc.by)
			}
		})
	}
	var none *rules.Tiebreaks
	if got, by := none.Place(ix, 0.005, lon, rules.Site{StreetOnly: true}); got != "west" || by != rules.ByGeometry {
		t.Errorf("no tie-breaks: got %s by %s", got, by)
	}
}

func TestLoadTiebreaks(t *testing.T) {
	pack := demoPackWith(t, "tiebreaks: tiebreaks.yaml")
	p, err := rules.Load(demoWith(t, map[string]string{"pack.yaml": pack,
		"tiebreaks.yaml": "- {lat: 30.6, lon: 117.05, area: d1}\n- {lat: 30.61, lon: 117.06, area: d2, address: 1 RIVER ROAD}\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tiebreaks.Len() != 2 {
		t.Errorf("%d tie-breaks, want 2", p.Tiebreaks.Len())
	}
	_, err = rules.Load(demoWith(t, map[string]string{"pack.yaml": pack,
		"tiebreaks.yaml": "- {lat: 30.6, lon: 117.05, area: d1}\n- {lat: 95, lon: 117.05, area: d1}\n- {lat: 30.6, lon: 117.05, area: mars}\n- {lat: 30.6, lon: 117.05, area: d1, colour: red}\n"}))
	for _, want := range []string{"tiebreaks.yaml:2: [1].lat", "tiebreaks.yaml:3: [2].area", "unknown area \"mars\"", "tiebreaks.yaml:4: [3].colour"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
