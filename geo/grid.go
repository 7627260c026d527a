package geo

// grid answers which area contains a point. It covers the areas' bounding box
// with a uniform lat/lon grid of up to a million cells. A cell that no edge
// comes near lies wholly inside the same areas, so it stores its answer; a
// cell that an edge passes near stores the areas that wholly contain it and,
// for the parts whose edges pass it, the few edges a ray cast from inside the
// cell can cross. A lookup is two multiplications and a load, plus, on
// boundary cells, a handful of crossing tests.
//
// The answer is exactly what ray casting over every ring gives (edge.crosses
// with the ranking of areas), not an approximation: edges are left out of a
// cell's test only when they provably cannot cross, or provably cross, every
// ray from the cell, with a margin far above floating-point error.
type grid struct {
	x0, y0, x1, y1 float64 // the covered box; x1 and y1 are exclusive
	invW, invH     float64 // columns per degree of longitude, rows per degree of latitude
	cols, rows     int
	cells          []uint32 // area+1 (0: none), or boundaryFlag|index into bounds
	bounds         []bcell
}

const (
	boundaryFlag = 1 << 31
	// margin (degrees, ~0.1 mm) separates "provably" from "maybe". Coordinate
	// rounding errors are ~1e-14 degrees, so anything beyond it is decided.
	margin = 1e-9
	// gridPad widens the box so that points on its edge fall inside it.
	gridPad = 1e-7
	// Grid size: about 16 cells per polygon edge, within these bounds.
	minGridCells = 1 << 12
	maxGridCells = 1 << 20
	cellsPerEdge = 16
)

// part is one polygon (outer ring and holes) of an area.
type part struct {
	area  int32
	edges []edge
}

// bcell is a boundary cell: full is the best area wholly containing the cell
// (-1 if none); cands are the parts whose edges pass the cell and whose area
// would beat full, best first.
type bcell struct {
	full  int32
	cands []cand
}

// cand tests one part within one cell. parity counts the edges that cross
// every ray from the cell; span and other are the edges that may cross.
type cand struct {
	area   int32
	parity bool
	span   []edge
	other  []edge
}

func (c *cand) contains(x, y float64) bool {
	in := c.parity
	for i := range c.span {
		if c.span[i].crosses(x, y) {
			in = !in
		}
	}
	for i := range c.other {
		if c.other[i].crosses(x, y) {
			in = !in
		}
	}
	return in
}

// locate returns the area containing (x, y), or -1.
func (g *grid) locate(x, y float64) int32 {
	if !(x >= g.x0 && x < g.x1 && y >= g.y0 && y < g.y1) {
		return -1
	}
	c := min(int((x-g.x0)*g.invW), g.cols-1)
	r := min(int((y-g.y0)*g.invH), g.rows-1)
	v := g.cells[r*g.cols+c]
	if v&boundaryFlag == 0 {
		return int32(v) - 1
	}
	b := &g.bounds[v&^boundaryFlag]
	for i := range b.cands {
		if b.cands[i].contains(x, y) {
			return b.cands[i].area
		}
	}
	return b.full
}

// ranking holds each area's level rank (0 city .. 3 grid). Where several
// areas contain a point the finest wins, then the first in the collection.
type ranking []int8

// better reports whether area a wins over b; -1 is no area and loses.
func (rk ranking) better(a, b int32) bool {
	switch {
	case a < 0:
		return false
	case b < 0:
		return true
	}
	return rk[a] > rk[b] || rk[a] == rk[b] && a < b
}
