package geo

import (
	"fmt"

	"github.com/cityops/cityops"
	"github.com/uber/h3-go/v4"
)

// Cells are a point's H3 cells at the resolutions the platform keeps.
type Cells struct {
	Cell  cityops.Cell // resolution 9
	Cell7 cityops.Cell
	Cell5 cityops.Cell
}

// CellsOf returns the cells of a WGS-84 point. The parents are derived from
// the resolution-9 cell by H3's bit layout, without further cgo calls.
func CellsOf(lat, lon float64) (Cells, error) {
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat != lat || lon != lon {
		return Cells{}, fmt.Errorf("indexing %.6f,%.6f: %w", lat, lon, cityops.Invalid("lat/lon", "out of range"))
	}
	c := h3.LatLngToCell(h3.NewLatLng(lat, lon), cityops.ResIncident)
	if c == 0 {
		return Cells{}, fmt.Errorf("indexing %.6f,%.6f: h3 gave no cell", lat, lon)
	}
	return Cells{
		Cell:  cityops.Cell(c),
		Cell7: Parent(cityops.Cell(c), cityops.ResDistrict),
		Cell5: Parent(cityops.Cell(c), cityops.ResCity),
	}, nil
}

// Parent returns c's ancestor at resolution res, which must not be finer than
// c's own. It works on H3's bit layout: the resolution field is set to res and
// the digits of the finer resolutions are set to 7 (unused).
func Parent(c cityops.Cell, res int) cityops.Cell {
	const (
		resOffset = 52
		resMask   = uint64(0xf) << resOffset
		maxRes    = 15
	)
	v := uint64(c)&^resMask | uint64(res)<<resOffset
	for r := res + 1; r <= maxRes; r++ {
		v |= uint64(7) << ((maxRes - r) * 3)
	}
	return cityops.Cell(v)
}

// Resolution returns c's H3 resolution.
func Resolution(c cityops.Cell) int { return int(uint64(c)>>52) & 0xf }

// Boundary returns the vertices of c's boundary as [lat, lon] pairs.
func Boundary(c cityops.Cell) ([][2]float64, error) {
	if !h3.Cell(c).IsValid() {
		return nil, fmt.Errorf("boundary of cell %s: %w", c, cityops.Invalid("cell", "not a valid H3 cell"))
	}
	b := h3.Cell(c).Boundary()
	out := make([][2]float64, len(b))
	for i, ll := range b {
		out[i] = [2]float64{ll.Lat, ll.Lng}
	}
	return out, nil
}
