package rules

import (
	"fmt"
	"io/fs"
	"math"
	"slices"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"go.yaml.in/yaml/v3"
)

// SideMetres is how far from a street-only location the Side convention
// looks for the area it names: beyond NearMetres, so that it crosses the
// boundary the location lies on.
const SideMetres = 15

// Boundaries are the conventions by which a city's records place a
// street-only location (an intersection, or a street without a house
// number) that lies on a boundary between areas where no past request
// tells. Such locations sit on the street's centre line, and areas often
// meet on those very lines, so point in polygon is a coin toss; a city's
// geocoder is not, and its records show which way it leans. Both are
// learned by `cityops pack learn` (boundaries.yaml) and apply to street-only
// locations only: an address with a house number is placed on its side of
// the street already, and the point of a live event is not a geocoded
// street.
type Boundaries struct {
	// Side names the direction in which the recorded area lies from a
	// street-only location on a boundary.
	Side *SideConvention `yaml:"street_only_side,omitempty"`
	// Seldom lists the areas the city seldom records for requests on their
	// edges (parks, airports and other areas without residents): a
	// street-only location on such an area's edge goes to its neighbour.
	Seldom []SeldomArea `yaml:"seldom_areas,omitempty"`
}

// SideConvention is the side of a boundary a city's records choose for
// street-only locations on it.
type SideConvention struct {
	Bearing float64 `yaml:"bearing"` // degrees clockwise from north
	Agreed  int     `yaml:"agreed"`  // past street-only requests on a boundary that agree
	Of      int     `yaml:"of"`      // past street-only requests on a boundary
}

// SeldomArea is an area the city seldom records at its edges: of Near past
// requests on a boundary of the area, Recorded were recorded in it.
type SeldomArea struct {
	Area     string `yaml:"area"`
	Recorded int    `yaml:"recorded"`
	Near     int    `yaml:"near"`
}

// The thresholds pack learn holds conventions to.
const (
	// MinSideSupport is how many street-only requests on boundaries a
	// side convention needs; it must also agree with more than half.
	MinSideSupport = 10
	// MinSeldomSupport is how many past requests on an area's boundaries
	// it takes to call the area seldom recorded, and SeldomShare the share
	// of them recorded in it below which it is.
	MinSeldomSupport = 5
	SeldomShare      = 0.2
)

// SideOf returns the area SideMetres from the point along bearing.
func SideOf(ix *geo.Index, lat, lon, bearing float64) string {
	th := bearing * math.Pi / 180
	dLat := SideMetres * math.Cos(th) / 111_320
	dLon := SideMetres * math.Sin(th) / (111_320 * max(math.Cos(lat*math.Pi/180), 1e-6))
	a, _ := ix.Locate(lat+dLat, lon+dLon)
	return a
}

// placeStreetOnly places a street-only location whose near areas are near
// (more than one) by the conventions, starting from area; it reports false
// when no convention applies.
func (t *Tiebreaks) placeStreetOnly(ix *geo.Index, lat, lon float64, near []string, area string) (string, Placement, bool) {
	by, ok := ByGeometry, false
	if t.side != nil {
		if a := SideOf(ix, lat, lon, t.side.Bearing); slices.Contains(near, a) {
			area, by, ok = a, BySide, true
		}
	}
	if t.seldom[area] {
		for _, o := range near {
			if !t.seldom[o] {
				return o, BySeldom, true
			}
		}
	}
	return area, by, ok
}

// loadBoundaries reads and checks a boundaries file, recording problems with
// their lines in c.
func (c *checker) loadBoundaries(fsys fs.FS, file string, areas map[string]bool) (Boundaries, bool) {
	var root yaml.Node
	if err := decodeFile(fsys, file, &root); err != nil {
		c.addErr(err)
		return Boundaries{}, false
	}
	if len(root.Content) == 0 {
		return Boundaries{}, true
	}
	doc := root.Content[0]
	if k, ok := unknownKey(doc, "street_only_side", "seldom_areas"); ok {
		c.add(file, doc.Line, cityops.Invalid(k, "unknown field"))
		return Boundaries{}, false
	}
	var b Boundaries
	if err := doc.Decode(&b); err != nil {
		c.add(file, doc.Line, fmt.Errorf("decoding boundaries: %w", err))
		return Boundaries{}, false
	}
	ok := true
	bad := func(line int, field, msg string) {
		c.add(file, line, cityops.Invalid(field, "%s", msg))
		ok = false
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		switch key {
		case "street_only_side":
			if k, unknown := unknownKey(val, "bearing", "agreed", "of"); unknown {
				bad(val.Line, key+"."+k, "unknown field")
			}
			switch s := b.Side; {
			case s == nil:
			case s.Bearing < 0 || s.Bearing >= 360:
				bad(val.Line, key+".bearing", "must be at least 0 and below 360 degrees")
			case s.Agreed < 0 || s.Of < s.Agreed:
				bad(val.Line, key+".agreed", "must be between 0 and of")
			}
		case "seldom_areas":
			for j, n := range val.Content {
				where := fmt.Sprintf("%s[%d]", key, j)
				if k, unknown := unknownKey(n, "area", "recorded", "near"); unknown {
					bad(n.Line, where+"."+k, "unknown field")
					continue
				}
				s := b.Seldom[j]
				switch {
				case !areas[s.Area]:
					bad(n.Line, where+".area", fmt.Sprintf("unknown area %q", s.Area))
				case s.Recorded < 0 || s.Near < s.Recorded:
					bad(n.Line, where+".recorded", "must be between 0 and near")
				}
			}
		}
	}
	return b, ok
}
