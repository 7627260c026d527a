package rules

import (
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"go.yaml.in/yaml/v3"
)

// Where the tie-breaks apply and how far they look, in metres.
const (
	// NearMetres: a point is near a boundary when another area lies
	// within this distance. Only such points are tie-broken by spot or
	// street.
	NearMetres = 10
	// SpotMetres: past requests this close count as the same spot.
	SpotMetres = 5
	// AddressMetres: past requests at the same address this close count,
	// among the areas that lie this close.
	AddressMetres = 50
	// StreetMetres: past requests on the same side of the same street (by
	// house number parity) this close count.
	StreetMetres = 100
)

// Placement says which layer chose an event's area.
type Placement string

// The layers, in the order Place tries them.
const (
	BySpot     Placement = "spot"     // past requests at the same spot
	ByAddress  Placement = "address"  // past requests at the same address
	ByStreet   Placement = "street"   // past requests on the same side of the street
	BySide     Placement = "side"     // a street-only location, by the side the city's records choose
	BySeldom   Placement = "seldom"   // a street-only location, off an area the city seldom records at its edges
	ByGeometry Placement = "geometry" // point in polygon alone
)

// TiebreakEntry is one past request near a boundary, with the area the
// city recorded for it.
type TiebreakEntry struct {
	Lat     float64 `yaml:"lat"`
	Lon     float64 `yaml:"lon"`
	Area    string  `yaml:"area"`
	Address string  `yaml:"address,omitempty"`
}

// Tiebreaks place points that lie on or near a boundary between areas the
// way the city's own records placed requests there. Cities geocode an
// address to its street's centre line, and areas often meet on those very
// lines, so for such points plain point in polygon is a coin toss; the
// records say which side the city means. The table is learned from past
// requests (`cityops pack learn`) and consulted only near boundaries, and
// only ever picks one of the areas that lie near the point. A nil
// *Tiebreaks places by geometry alone.
type Tiebreaks struct {
	entries []tiebreak
	buckets map[[2]int32][]int32 // by bucketOf
	// reach holds the buckets within StreetMetres of some entry: a point in
	// no such bucket has nothing to vote with, and Place answers at once.
	reach map[[2]int32]bool
	// The conventions of Boundaries, for street-only locations.
	side   *SideConvention
	seldom map[string]bool
}

// Site is what is known of where an event is besides its point.
type Site struct {
	Address string // the street address, optional
	// StreetOnly says the point was geocoded from a street or an
	// intersection rather than a house number.
	StreetOnly bool
}

// WithBoundaries returns t, or an empty table when t is nil, following b's
// conventions for street-only locations.
func (t *Tiebreaks) WithBoundaries(b Boundaries) *Tiebreaks {
	if t == nil {
		t = NewTiebreaks(nil)
	}
	t.side = b.Side
	t.seldom = map[string]bool{}
	for _, s := range b.Seldom {
		t.seldom[s.Area] = true
	}
	return t
}

type tiebreak struct {
	TiebreakEntry
	side string // street and house number parity, "" without a number
}

// bucketDegrees is the side of a spatial bucket of entries.
const bucketDegrees = 0.001

func bucketOf(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / bucketDegrees)), int32(math.Floor(lon / bucketDegrees))}
}

// span returns how many buckets north-south and east-west a search of
// metres around latitude lat must look beyond the point's own.
func span(lat, metres float64) (ny, nx int32) {
	ny = int32(math.Ceil(metres / (bucketDegrees * 111_320)))
	nx = int32(math.Ceil(metres / (bucketDegrees * 111_320 * max(math.Cos(lat*math.Pi/180), 1e-6))))
	return ny, nx
}

// NewTiebreaks indexes entries.
func NewTiebreaks(entries []TiebreakEntry) *Tiebreaks {
	t := &Tiebreaks{buckets: map[[2]int32][]int32{}, reach: map[[2]int32]bool{}}
	for _, e := range entries {
		e.Address = normalAddress(e.Address)
		b := bucketOf(e.Lat, e.Lon)
		t.buckets[b] = append(t.buckets[b], int32(len(t.entries)))
		t.entries = append(t.entries, tiebreak{TiebreakEntry: e, side: streetSide(e.Address)})
		// One bucket more east and west: a point a little further from
		// the equator than the entry searches a little wider.
		ny, nx := span(e.Lat, StreetMetres)
		for y := b[0] - ny; y <= b[0]+ny; y++ {
			for x := b[1] - nx - 1; x <= b[1]+nx+1; x++ {
				t.reach[[2]int32{y, x}] = true
			}
		}
	}
	return t
}

// Len returns the number of entries.
func (t *Tiebreaks) Len() int {
	if t == nil {
		return 0
	}
	return len(t.entries)
}

// Place returns the area of the WGS-84 point and the layer that chose it.
// Where another area lies within NearMetres, past requests at the same spot
// decide, by majority among the areas that lie near; failing that, past
// requests at the same address (when the site has one) within
// AddressMetres, then past requests on the same side of the same street
// within StreetMetres, then for a street-only site the conventions of
// Boundaries. Otherwise, and always far from boundaries, the area is
// ix.Locate's.
func (t *Tiebreaks) Place(ix *geo.Index, lat, lon float64, site Site) (string, Placement) {
	area, _ := ix.Locate(lat, lon)
	conventions := site.StreetOnly && t != nil && (t.side != nil || len(t.seldom) > 0)
	if !conventions && (t.Len() == 0 || !t.reach[bucketOf(lat, lon)]) {
		return area, ByGeometry
	}
	near := ix.Near(lat, lon, NearMetres)
	if len(near) > 1 && t.reach[bucketOf(lat, lon)] {
		if a, ok := t.vote(lat, lon, SpotMetres, near, area, func(*tiebreak) bool { return true }); ok {
			return a, BySpot
		}
	}
	address := normalAddress(site.Address)
	if address != "" && t.reach[bucketOf(lat, lon)] {
		if wide := ix.Near(lat, lon, AddressMetres); len(wide) > 1 {
			if a, ok := t.vote(lat, lon, AddressMetres, wide, area, func(e *tiebreak) bool { return e.Address == address }); ok {
				return a, ByAddress
			}
		}
	}
	if side := streetSide(address); side != "" && len(near) > 1 {
		if a, ok := t.vote(lat, lon, StreetMetres, near, area, func(e *tiebreak) bool { return e.side == side }); ok {
			return a, ByStreet
		}
	}
	if conventions && len(near) > 1 {
		if a, by, ok := t.placeStreetOnly(ix, lat, lon, near, area); ok {
			return a, by
		}
	}
	return area, ByGeometry
}

// vote returns the area among cands that most entries within metres of the
// point and accepted by keep recorded; a tie goes to the geometric area when
// it is among the tied, else to the first in cands.
func (t *Tiebreaks) vote(lat, lon, metres float64, cands []string, geometric string, keep func(*tiebreak) bool) (string, bool) {
	votes := make([]int, len(cands))
	ny, nx := span(lat, metres)
	c := bucketOf(lat, lon)
	for y := c[0] - ny; y <= c[0]+ny; y++ {
		for x := c[1] - nx; x <= c[1]+nx; x++ {
			for _, i := range t.buckets[[2]int32{y, x}] {
				e := &t.entries[i]
				if j := slices.Index(cands, e.Area); j >= 0 && keep(e) && geo.Metres(lat, lon, e.Lat, e.Lon) <= metres {
					votes[j]++
				}
			}
		}
	}
	best := -1
	for j, n := range votes {
		if n > 0 && (best < 0 || n > votes[best] || n == votes[best] && cands[j] == geometric) {
			best = j
		}
	}
	if best < 0 {
		return "", false
	}
	return cands[best], true
}

// normalAddress upper-cases an address and collapses its spaces.
func normalAddress(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}

// streetSide returns the street of an address that starts with a house
// number, with the number's parity ("JEFFERSON AVENUE|1" for 453 JEFFERSON
// AVENUE): odd and even numbers lie on opposite sides. Of a hyphenated
// number ("135-26", as Queens numbers houses) the last part counts.
func streetSide(address string) string {
	num, street, ok := strings.Cut(address, " ")
	if !ok || street == "" {
		return ""
	}
	if i := strings.LastIndexByte(num, '-'); i >= 0 {
		num = num[i+1:]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return ""
	}
	return street + "|" + strconv.Itoa(n%2)
}

// loadTiebreaks reads and checks a tie-break file, recording problems with
// their lines in c.
func (c *checker) loadTiebreaks(fsys fs.FS, file string, areas map[string]bool) *Tiebreaks {
	var root yaml.Node
	if err := decodeFile(fsys, file, &root); err != nil {
		c.addErr(err)
		return nil
	}
	if len(root.Content) == 0 {
		return NewTiebreaks(nil)
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		c.add(file, list.Line, cityops.Invalid("tiebreaks", "must be a list of {lat, lon, area, address}"))
		return nil
	}
	var entries []TiebreakEntry
	for i, n := range list.Content {
		where := fmt.Sprintf("[%d]", i)
		if k, ok := unknownKey(n, "lat", "lon", "area", "address"); ok {
			c.add(file, n.Line, cityops.Invalid(where+"."+k, "unknown field"))
			continue
		}
		var e TiebreakEntry
		if err := n.Decode(&e); err != nil {
			c.add(file, n.Line, fmt.Errorf("%s: %w", where, err))
			continue
		}
		switch {
		case e.Lat < -90 || e.Lat > 90:
			c.add(file, n.Line, cityops.Invalid(where+".lat", "must be between -90 and 90"))
		case e.Lon < -180 || e.Lon > 180:
			c.add(file, n.Line, cityops.Invalid(where+".lon", "must be between -180 and 180"))
		case !areas[e.Area]:
			c.add(file, n.Line, cityops.Invalid(where+".area", "unknown area %q", e.Area))
		default:
			entries = append(entries, e)
		}
	}
	return NewTiebreaks(entries)
}

// unknownKey returns the first key of mapping node n that is not one of
// known (yaml.Node.Decode does not reject unknown fields).
func unknownKey(n *yaml.Node, known ...string) (string, bool) {
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !slices.Contains(known, k) {
			return k, true
		}
	}
	return "", false
}

// StreetOnly reports whether address names no house number: an
// intersection, a street alone, or nothing. A city geocodes such a request
// to the street's centre line.
func StreetOnly(address string) bool {
	return streetSide(normalAddress(address)) == ""
}
