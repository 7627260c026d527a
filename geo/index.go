package geo

import (
	"fmt"
	"math"

	"github.com/cityops/cityops"
)

// Index holds a city's areas and answers which area a point lies in. It is
// immutable once built and safe for concurrent use.
type Index struct {
	areas  []cityops.Area
	byID   map[string]int32
	parent []int32 // index of each area's parent, or -1
	bbox   [4]float64
	grid   *grid
}

// NewIndex builds an index from a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features, one area per feature; holes are honoured. Options
// name the properties to read and the coordinate system. Every error matches
// cityops.ErrInvalid and names the feature (by its index in the collection)
// and the member at fault.
func NewIndex(data []byte, opt Options) (*Index, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("loading areas: %w", err)
	}
	feats, err := readFeatures(data, opt)
	if err != nil {
		return nil, fmt.Errorf("loading areas: %w", err)
	}
	ix := &Index{
		areas:  make([]cityops.Area, len(feats)),
		byID:   make(map[string]int32, len(feats)),
		parent: make([]int32, len(feats)),
		bbox:   [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)},
	}
	for i, f := range feats {
		if j, dup := ix.byID[f.area.ID]; dup {
			return nil, fmt.Errorf("loading areas: %w", cityops.Invalid(
				fmt.Sprintf("features[%d].properties.%s", i, opt.IDProp), "duplicate id %q (also features[%d])", f.area.ID, j))
		}
		ix.byID[f.area.ID] = int32(i)
		ix.areas[i] = f.area
	}
	if err := ix.linkParents(opt.ParentProp); err != nil {
		return nil, fmt.Errorf("loading areas: %w", err)
	}

	var parts []part
	rk := make(ranking, len(feats))
	for i, f := range feats {
		rk[i] = int8(levelRank(f.area.Level))
		for _, poly := range f.polys {
			p := part{area: int32(i)}
			for _, ring := range poly {
				p.edges = ringEdges(ring, p.edges)
				for _, pt := range ring {
					ix.bbox[0], ix.bbox[1] = min(ix.bbox[0], pt.x), min(ix.bbox[1], pt.y)
					ix.bbox[2], ix.bbox[3] = max(ix.bbox[2], pt.x), max(ix.bbox[3], pt.y)
				}
			}
			parts = append(parts, p)
		}
	}
	ix.grid = buildGrid(parts, rk, ix.bbox)
	return ix, nil
}

// linkParents resolves parent ids. A parent must be in the collection and at
// a coarser level than its child, which also rules out cycles.
func (ix *Index) linkParents(parentProp string) error {
	for i, a := range ix.areas {
		ix.parent[i] = -1
		if a.ParentID == "" {
			continue
		}
		field := fmt.Sprintf("features[%d].properties.%s", i, parentProp)
		j, ok := ix.byID[a.ParentID]
		if !ok {
			return cityops.Invalid(field, "unknown parent %q", a.ParentID)
		}
		if p := ix.areas[j]; levelRank(p.Level) >= levelRank(a.Level) {
			return cityops.Invalid(field, "parent %q is a %s, not coarser than this %s", p.ID, p.Level, a.Level)
		}
		ix.parent[i] = j
	}
	return nil
}

// Locate returns the id of the area that contains the WGS-84 point. Where
// areas nest or overlap, the finest level wins, then the area that comes
// first in the collection. The answer is that of ray casting (even-odd rule
// within each polygon) over every area's rings; ok is false when no area
// contains the point.
func (ix *Index) Locate(lat, lon float64) (id string, ok bool) {
	i := ix.grid.locate(lon, lat)
	if i < 0 {
		return "", false
	}
	return ix.areas[i].ID, true
}

// Area returns the area with the given id.
func (ix *Index) Area(id string) (cityops.Area, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return cityops.Area{}, false
	}
	return ix.areas[i], true
}

// Areas returns every area in the collection's order.
func (ix *Index) Areas() []cityops.Area {
	return append([]cityops.Area(nil), ix.areas...)
}

// Ancestor returns the id of the area at the given level that contains area
// id by the parent links: id itself when it is at that level, its district
// when id is a street and level is district. ok is false when id is unknown
// or no ancestor is at that level.
func (ix *Index) Ancestor(id string, level cityops.AreaLevel) (string, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return "", false
	}
	for ; i >= 0; i = ix.parent[i] {
		if ix.areas[i].Level == level {
			return ix.areas[i].ID, true
		}
	}
	return "", false
}

// BBox returns the WGS-84 bounding box of all areas as [min lon, min lat,
// max lon, max lat], the order of cityops.City.BBox.
func (ix *Index) BBox() [4]float64 { return ix.bbox }

// Center returns the middle of the bounding box as [lat, lon], the order of
// cityops.City.Center.
func (ix *Index) Center() [2]float64 {
	return [2]float64{(ix.bbox[1] + ix.bbox[3]) / 2, (ix.bbox[0] + ix.bbox[2]) / 2}
}
