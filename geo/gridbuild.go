package geo

import (
	"math"
	"slices"
	"sort"
)

// rowPart is one part's edges that reach into one grid row.
type rowPart struct {
	part  int32
	edges []edge
}

// rowEdges is a part's edges in one row, prepared for cell tests: span
// holds the non-horizontal edges that cross the whole row height, by
// ascending xmin, with spanMax the running maximum of their xmax; other holds
// the remaining non-horizontal edges by descending xmax.
type rowEdges struct {
	span    []edge
	spanMax []float64
	other   []edge
}

// buildGrid indexes parts over bbox [minX, minY, maxX, maxY].
func buildGrid(parts []part, rk ranking, bbox [4]float64) *grid {
	nEdges := 0
	for _, p := range parts {
		nEdges += len(p.edges)
	}
	g := &grid{x0: bbox[0] - gridPad, y0: bbox[1] - gridPad}
	w, h := bbox[2]-bbox[0]+2*gridPad, bbox[3]-bbox[1]+2*gridPad
	g.x1, g.y1 = g.x0+w, g.y0+h
	// Square cells on the ground: a degree of longitude is cos(lat) as long.
	target := float64(min(max(cellsPerEdge*nEdges, minGridCells), maxGridCells))
	k := max(math.Cos((bbox[1]+bbox[3])/2*math.Pi/180), 0.01)
	side := math.Sqrt(w * k * h / target)
	g.cols = int(min(max(math.Ceil(w*k/side), 1), target))
	g.rows = int(min(max(math.Ceil(h/side), 1), target/float64(g.cols)))
	g.invW, g.invH = float64(g.cols)/w, float64(g.rows)/h
	cw, ch := w/float64(g.cols), h/float64(g.rows)
	g.cells = make([]uint32, g.cols*g.rows)

	rowOf := func(y float64) int { return min(max(int(math.Floor((y-g.y0)*g.invH)), 0), g.rows-1) }
	colOf := func(x float64) int { return min(max(int(math.Floor((x-g.x0)*g.invW)), 0), g.cols-1) }

	// Bucket every edge into the rows it reaches, by part.
	rows := make([][]rowPart, g.rows)
	for pi, p := range parts {
		for _, e := range p.edges {
			for r := rowOf(e.ymin() - 2*margin); r <= rowOf(e.ymax()+2*margin); r++ {
				rp := rows[r]
				if len(rp) == 0 || rp[len(rp)-1].part != int32(pi) {
					rp = append(rp, rowPart{part: int32(pi)})
				}
				rp[len(rp)-1].edges = append(rp[len(rp)-1].edges, e)
				rows[r] = rp
			}
		}
	}

	type crossing struct {
		x    float64
		part int32
	}
	var (
		colParts = make([][]int32, g.cols) // parts with an edge near each cell of the row
		touched  []int                     // columns with non-empty colParts
		inside   = make([]bool, len(parts))
		active   []int32 // parts containing the current cell's centre
		slot     = make([]int32, len(parts))
		events   []crossing
	)
	for r := range g.rows {
		lo := g.y0 + float64(r)*ch
		hi, yc := lo+ch, lo+ch/2
		bl, bh := lo-margin, hi+margin
		prepared := make([]rowEdges, len(rows[r]))
		events = events[:0]
		for k, rp := range rows[r] {
			slot[rp.part] = int32(k)
			re := &prepared[k]
			for i := range rp.edges {
				e := &rp.edges[i]
				for c := range markCols(e, lo-2*margin, hi+2*margin, colOf) {
					if cp := colParts[c]; len(cp) == 0 || cp[len(cp)-1] != rp.part {
						if len(cp) == 0 {
							touched = append(touched, c)
						}
						colParts[c] = append(cp, rp.part)
					}
				}
				if e.yi == e.yj {
					continue // never crossed
				}
				if e.ymin() <= bl && e.ymax() > bh {
					re.span = append(re.span, *e)
				} else {
					re.other = append(re.other, *e)
				}
				if (e.yi > yc) != (e.yj > yc) {
					events = append(events, crossing{e.intercept(yc), rp.part})
				}
			}
			slices.SortFunc(re.span, func(a, b edge) int { return cmpFloat(a.xmin(), b.xmin()) })
			re.spanMax = make([]float64, len(re.span))
			m := math.Inf(-1)
			for i := range re.span {
				m = max(m, re.span[i].xmax())
				re.spanMax[i] = m
			}
			slices.SortFunc(re.other, func(a, b edge) int { return cmpFloat(b.xmax(), a.xmax()) })
		}
		rows[r] = nil

		// Sweep the row's centre line from the right: a part contains a cell
		// centre when an odd number of its crossings lie to the right of it.
		slices.SortFunc(events, func(a, b crossing) int { return cmpFloat(b.x, a.x) })
		next := 0
		for c := g.cols - 1; c >= 0; c-- {
			xc := g.x0 + (float64(c)+0.5)*cw
			for ; next < len(events) && events[next].x > xc; next++ {
				p := events[next].part
				if inside[p] {
					inside[p] = false
					i := slices.Index(active, p)
					active[i] = active[len(active)-1]
					active = active[:len(active)-1]
				} else {
					inside[p] = true
					active = append(active, p)
				}
			}
			full := int32(-1)
			for _, p := range active {
				if a := parts[p].area; rk.better(a, full) && !slices.Contains(colParts[c], p) {
					full = a
				}
			}
			var cands []cand
			L, R := g.x0+float64(c)*cw, g.x0+float64(c+1)*cw
			for _, p := range colParts[c] {
				if a := parts[p].area; rk.better(a, full) {
					cands = append(cands, prepared[slot[p]].candFor(a, L, R))
				}
			}
			idx := r*g.cols + c
			if len(cands) == 0 {
				g.cells[idx] = uint32(full + 1)
				continue
			}
			slices.SortStableFunc(cands, func(a, b cand) int {
				switch {
				case rk.better(a.area, b.area):
					return -1
				case rk.better(b.area, a.area):
					return 1
				}
				return 0
			})
			g.cells[idx] = boundaryFlag | uint32(len(g.bounds))
			g.bounds = append(g.bounds, bcell{full: full, cands: cands})
		}
		for _, p := range active {
			inside[p] = false
		}
		active = active[:0]
		for _, c := range touched {
			colParts[c] = colParts[c][:0]
		}
		touched = touched[:0]
	}
	return g
}

// candFor returns the test of this part for the cell spanning [L, R] in x.
func (re *rowEdges) candFor(area int32, L, R float64) cand {
	// Spanning edges wholly right of the cell cross every ray from it; those
	// wholly left cross none. Only the rest need testing.
	a := sort.Search(len(re.span), func(i int) bool { return re.span[i].xmin() > R+margin })
	b := sort.Search(a, func(i int) bool { return re.spanMax[i] >= L-margin })
	n := sort.Search(len(re.other), func(i int) bool { return re.other[i].xmax() < L-margin })
	return cand{area: area, parity: (len(re.span)-a)%2 == 1, span: re.span[b:a], other: re.other[:n]}
}

// markCols returns the columns in which e passes within the band [bl, bh],
// widened by the margin: a superset is always safe.
func markCols(e *edge, bl, bh float64, colOf func(float64) int) func(func(int) bool) {
	return func(yield func(int) bool) {
		ax, ay, bx, by := e.xi, e.yi, e.xj, e.yj
		if ay > by {
			ax, ay, bx, by = bx, by, ax, ay
		}
		var xl, xh float64
		if ay == by {
			xl, xh = min(ax, bx), max(ax, bx)
		} else {
			ya, yb := max(ay, bl), min(by, bh)
			if ya > yb {
				return
			}
			xa := ax + (bx-ax)*(ya-ay)/(by-ay)
			xb := ax + (bx-ax)*(yb-ay)/(by-ay)
			xl, xh = min(xa, xb), max(xa, xb)
		}
		for c := colOf(xl - 2*margin); c <= colOf(xh+2*margin); c++ {
			if !yield(c) {
				return
			}
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
