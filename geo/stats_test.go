package geo

import "fmt"

// onBoundaryCell reports whether a point falls in a cell that needs exact
// tests.
func (ix *Index) onBoundaryCell(lat, lon float64) bool {
	g := ix.grid
	if !(lon >= g.x0 && lon < g.x1 && lat >= g.y0 && lat < g.y1) {
		return false
	}
	c := min(int((lon-g.x0)*g.invW), g.cols-1)
	r := min(int((lat-g.y0)*g.invH), g.rows-1)
	return g.cells[r*g.cols+c]&boundaryFlag != 0
}

// stats describes the grid's size and the work its boundary cells hold.
func (g *grid) stats() string {
	var cands, edges, maxEdges int
	for _, b := range g.bounds {
		cands += len(b.cands)
		n := 0
		for _, c := range b.cands {
			n += len(c.span) + len(c.other)
		}
		edges += n
		maxEdges = max(maxEdges, n)
	}
	nb := max(len(g.bounds), 1)
	return fmt.Sprintf("%dx%d cells of %.0fx%.0f µdeg, %d boundary (%.1f%%), %.2f candidates and %.1f edges per boundary cell (max %d)",
		g.cols, g.rows, 1e6/g.invW, 1e6/g.invH, len(g.bounds), 100*float64(len(g.bounds))/float64(len(g.cells)),
		float64(cands)/float64(nb), float64(edges)/float64(nb), maxEdges)
}
