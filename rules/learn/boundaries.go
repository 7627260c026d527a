package learn

import (
	"maps"
	"slices"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// sideBearings are the directions a side convention is chosen among.
var sideBearings = []float64{0, 45, 90, 135, 180, 225, 270, 315}

// boundaries learns the city's conventions for street-only locations on
// boundaries (rules.Boundaries) from the records that lie within
// rules.NearMetres of one and whose recorded area is one of the areas there.
//
// The side is the bearing along which the recorded area lies from the most
// street-only records, kept when it agrees with more than half of at least
// rules.MinSideSupport of them. An area is seldom recorded when at least
// rules.MinSeldomSupport records lie on its boundaries and fewer than
// rules.SeldomShare of them were recorded in it.
func boundaries(recs []Record, ix *geo.Index, known map[string]bool) rules.Boundaries {
	agreed := make([]int, len(sideBearings))
	streetOnly := 0
	near, recorded := map[string]int{}, map[string]int{}
	for _, r := range recs {
		if !r.HasLoc || !known[r.Area] {
			continue
		}
		ids := ix.Near(r.Lat, r.Lon, rules.NearMetres)
		if len(ids) < 2 || !slices.Contains(ids, r.Area) {
			continue
		}
		for _, a := range ids {
			near[a]++
		}
		recorded[r.Area]++
		if !rules.StreetOnly(r.Address) {
			continue
		}
		streetOnly++
		for i, b := range sideBearings {
			if rules.SideOf(ix, r.Lat, r.Lon, b) == r.Area {
				agreed[i]++
			}
		}
	}
	var b rules.Boundaries
	if best := slices.Index(agreed, slices.Max(agreed)); streetOnly >= rules.MinSideSupport && 2*agreed[best] > streetOnly {
		b.Side = &rules.SideConvention{Bearing: sideBearings[best], Agreed: agreed[best], Of: streetOnly}
	}
	for _, a := range slices.Sorted(maps.Keys(near)) {
		if n := near[a]; n >= rules.MinSeldomSupport && float64(recorded[a]) < rules.SeldomShare*float64(n) {
			b.Seldom = append(b.Seldom, rules.SeldomArea{Area: a, Recorded: recorded[a], Near: n})
		}
	}
	return b
}
