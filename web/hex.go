package web

import (
	"math"
	"strconv"
	"sync"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/uber/h3-go/v4"
)

// maxHexes bounds the boundary cache. A city of 10,000 km² has about 100,000
// resolution-9 cells; when the cache is full it starts again empty.
const maxHexes = 1 << 17

// hexes caches the JSON of cell boundaries, [[lat,lon],...], by cell, at
// any resolution.
type hexes struct {
	mu      sync.RWMutex
	m       map[cityops.Cell][]byte
	centres map[cityops.Cell][2]float64 // coarse cells' centres, [lat, lon]
}

func newHexes() *hexes {
	return &hexes{m: make(map[cityops.Cell][]byte), centres: make(map[cityops.Cell][2]float64)}
}

// centre returns the centre of cell c as [lat, lon], or NaNs when c is not
// a cell. A city has a few hundred cells at resolutions 5 and 7, so the
// cache saves a cgo call per change.
func (h *hexes) centre(c cityops.Cell) [2]float64 {
	h.mu.RLock()
	ll, ok := h.centres[c]
	h.mu.RUnlock()
	if ok {
		return ll
	}
	ll = [2]float64{math.NaN(), math.NaN()}
	if x := h3.Cell(c); x.IsValid() {
		p := x.LatLng()
		ll = [2]float64{p.Lat, p.Lng}
	}
	h.mu.Lock()
	if len(h.centres) >= maxHexes {
		clear(h.centres)
	}
	h.centres[c] = ll
	h.mu.Unlock()
	return ll
}

// of returns the JSON boundary of inc's resolution-9 cell and the cell. An
// incident without a valid cell gets the cell of its coordinates; one whose
// coordinates are unusable too gets null.
func (h *hexes) of(inc *cityops.Incident) (cityops.Cell, []byte) {
	c := inc.Cell
	if geo.Resolution(c) != cityops.ResIncident {
		cs, err := geo.CellsOf(inc.Lat, inc.Lon)
		if err != nil {
			return 0, []byte("null")
		}
		c = cs.Cell
	}
	b := h.boundary(c)
	if b == nil {
		return 0, []byte("null")
	}
	return c, b
}

// boundary returns the JSON boundary of cell c, or nil when c is not a cell.
func (h *hexes) boundary(c cityops.Cell) []byte {
	h.mu.RLock()
	b, ok := h.m[c]
	h.mu.RUnlock()
	if ok {
		return b
	}
	vs, err := geo.Boundary(c)
	if err != nil {
		return nil
	}
	b = appendBoundary(make([]byte, 0, 32*len(vs)), vs)
	h.mu.Lock()
	if len(h.m) >= maxHexes {
		clear(h.m)
	}
	h.m[c] = b
	h.mu.Unlock()
	return b
}

// appendBoundary appends vs as a JSON array of [lat,lon] pairs with six
// decimals (about 0.1 m).
func appendBoundary(b []byte, vs [][2]float64) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, v[0], 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, v[1], 'f', 6, 64)
		b = append(b, ']')
	}
	return append(b, ']')
}
