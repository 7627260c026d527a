package rules_test

import (
	"strings"
	"testing"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

func TestBoundariesPlace(t *testing.T) {
	ix, err := geo.NewIndex([]byte(twoSquares), geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const lon = 0.00997 // 3.3 m west of the boundary
	east := rules.NewTiebreaks([]rules.TiebreakEntry{{Lat: 0.002, Lon: lon, Area: "west"}}).
		WithBoundaries(rules.Boundaries{Side: &rules.SideConvention{Bearing: 90, Agreed: 8, Of: 10}})
	seldomEast := (*rules.Tiebreaks)(nil).WithBoundaries(rules.Boundaries{
		Side:   &rules.SideConvention{Bearing: 90, Agreed: 8, Of: 10},
		Seldom: []rules.SeldomArea{{Area: "east", Recorded: 0, Near: 9}},
	})
	for _, tc := range []struct {
		name     string
		tb       *rules.Tiebreaks
		lat, lon float64
		site     rules.Site
		want     string
		by       rules.Placement
	}{
		{"a street-only location takes the side", east, 0.005, lon, rules.Site{StreetOnly: true}, "east", rules.BySide},
		{"a house number is placed by geometry", east, 0.005, lon, rules.Site{Address: "12 MAIN STREET"}, "west", rules.ByGeometry},
		{"a live point is placed by geometry", east, 0.005, lon, rules.Site{}, "west", rules.ByGeometry},
		{"a past request at the spot comes first", east, 0.002, lon, rules.Site{StreetOnly: true}, "west", rules.BySpot},
		{"far from the boundary the convention does not apply", east, 0.005, 0.005, rules.Site{StreetOnly: true}, "west", rules.ByGeometry},
		{"a seldom recorded area gives way", seldomEast, 0.005, lon, rules.Site{StreetOnly: true}, "west", rules.BySeldom},
		{"inside a seldom recorded area, away from its edge", seldomEast, 0.005, 0.015, rules.Site{StreetOnly: true}, "east", rules.ByGeometry},
		{"a seldom area without a street-only site", seldomEast, 0.005, 0.01003, rules.Site{}, "east", rules.ByGeometry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, by := tc.tb.Place(ix, tc.lat, tc.lon, tc.site)
			if got != tc.want || by != tc.by {
				t.Errorf("got %s by %s, want %s by %s", got, by, tc.want, tc.by)
			}
		})
	}
}

func TestStreetOnly(t *testing.T) {
	for addr, want := range map[string]bool{"": true, "5 AVENUE": false, "EAST 55 STREET": true, "453 JEFFERSON AVENUE": false, "135-26 ROOSEVELT AVENUE": false, "GUN HILL ROAD": true} {
		if got := rules.StreetOnly(addr); got != want {
			t.Errorf("StreetOnly(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestLoadBoundaries(t *testing.T) {
	pack := demoPackWith(t, "boundaries: boundaries.yaml")
	p, err := rules.Load(demoWith(t, map[string]string{"pack.yaml": pack,
		"boundaries.yaml": "street_only_side: {bearing: 270, agreed: 53, of: 68}\nseldom_areas:\n  - {area: d1, recorded: 0, near: 9}\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tiebreaks == nil {
		t.Fatal("the boundaries were not loaded")
	}
	for _, tc := range []struct{ file, want string }{
		{"street_only_side: {bearing: 360, agreed: 1, of: 2}\n", "boundaries.yaml:1: street_only_side.bearing"},
		{"street_only_side: {bearing: 90, agreed: 3, of: 2}\n", "boundaries.yaml:1: street_only_side.agreed"},
		{"street_only_side: {bearing: 90, agreed: 1, of: 2, colour: red}\n", "boundaries.yaml:1: street_only_side.colour"},
		{"seldom_areas:\n  - {area: d1, recorded: 0, near: 9}\n  - {area: mars, recorded: 0, near: 9}\n", `boundaries.yaml:3: seldom_areas[1].area: unknown area "mars"`},
		{"seldom_areas:\n  - {area: d1, recorded: 10, near: 9}\n", "boundaries.yaml:2: seldom_areas[0].recorded"},
		{"sides: []\n", "boundaries.yaml:1: sides"},
	} {
		_, err := rules.Load(demoWith(t, map[string]string{"pack.yaml": pack, "boundaries.yaml": tc.file}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v does not say %q", tc.file, err, tc.want)
		}
	}
}
