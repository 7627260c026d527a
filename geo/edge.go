package geo

// edge is one side of a ring, from the previous vertex j to the current
// vertex i, in the order W. R. Franklin's PNPOLY visits them.
type edge struct{ xi, yi, xj, yj float64 }

// crosses reports whether a ray from (x, y) towards increasing x crosses e.
// It is PNPOLY's test, half-open in y so that a ray through a vertex counts
// once: a point is inside a ring when it crosses an odd number of edges.
//
// The explicit conversions keep the compiler from fusing the multiply and
// add, so every caller, the brute-force reference included, gets
// bit-identical results on every platform.
func (e *edge) crosses(x, y float64) bool {
	return (e.yi > y) != (e.yj > y) &&
		x < float64(float64((e.xj-e.xi)*(y-e.yi))/(e.yj-e.yi))+e.xi
}

// intercept returns the x at which the line through e meets height y,
// computed exactly as crosses computes it.
func (e *edge) intercept(y float64) float64 {
	return float64(float64((e.xj-e.xi)*(y-e.yi))/(e.yj-e.yi)) + e.xi
}

func (e *edge) xmin() float64 { return min(e.xi, e.xj) }
func (e *edge) xmax() float64 { return max(e.xi, e.xj) }
func (e *edge) ymin() float64 { return min(e.yi, e.yj) }
func (e *edge) ymax() float64 { return max(e.yi, e.yj) }

// ringEdges returns the edges of an open ring, the closing edge included.
func ringEdges(ring []point, dst []edge) []edge {
	for i, p := range ring {
		q := ring[(i+len(ring)-1)%len(ring)]
		dst = append(dst, edge{xi: p.x, yi: p.y, xj: q.x, yj: q.y})
	}
	return dst
}
