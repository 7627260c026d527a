package geo

import (
	"math"
	"slices"
)

// metresPerDegree is the length of a degree of latitude, and of longitude
// at the equator, on the WGS-84 sphere of equal area.
const metresPerDegree = 111_320.0

// nearProbes is how many points on the circle Near tests.
const nearProbes = 16

// Near returns, sorted, the ids of the areas that contain the WGS-84 point
// or a point about metres away from it: the point itself and 16 points on
// a circle of that radius, each located as Locate locates it. It tells
// whether a point lies near a boundary (more than one id) and which areas
// meet there. It is an approximation: an area narrower than the gap between
// two probes (a fifth of the radius, about) can be missed. Locate is not
// changed by it; Near only asks Locate more questions.
func (ix *Index) Near(lat, lon, metres float64) []string {
	var ids []string
	if id, ok := ix.Locate(lat, lon); ok {
		ids = append(ids, id)
	}
	dLat := metres / metresPerDegree
	dLon := metres / (metresPerDegree * max(math.Cos(lat*math.Pi/180), 1e-6))
	for k := range nearProbes {
		th := 2 * math.Pi * float64(k) / nearProbes
		id, ok := ix.Locate(lat+dLat*math.Sin(th), lon+dLon*math.Cos(th))
		if ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Metres returns the distance between two WGS-84 points in metres, on an
// equirectangular projection: exact enough for the few hundred metres
// between neighbouring reports.
func Metres(lat1, lon1, lat2, lon2 float64) float64 {
	dy := (lat2 - lat1) * metresPerDegree
	dx := (lon2 - lon1) * metresPerDegree * math.Cos((lat1+lat2)/2*math.Pi/180)
	return math.Hypot(dx, dy)
}
