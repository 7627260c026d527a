package cityops

import "strconv"

// Cell is an H3 cell index. Incidents carry their cell at resolution 9 for
// duplicate merging and its parents at 7 and 5 for map aggregation.
type Cell uint64

// String returns the cell in H3's usual lower-case hexadecimal form.
func (c Cell) String() string { return strconv.FormatUint(uint64(c), 16) }

// The H3 resolutions the platform keeps.
const (
	ResIncident = 9 // ~0.1 km²: incidents and duplicate merging
	ResDistrict = 7 // ~5 km²: map aggregation
	ResCity     = 5 // ~250 km²: city-wide aggregation
)
