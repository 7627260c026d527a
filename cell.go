package cityops

import (
	"errors"
	"strconv"
)

// Cell is an H3 cell index. Incidents carry their cell at resolution 9 for
// duplicate merging and its parents at 7 and 5 for map aggregation.
//
// In JSON a cell is its String form, "89309a6c4ffffff": a cell is a number
// above 2^53, which JavaScript, jq and every reader that takes JSON numbers
// as doubles would round. Decoding also takes the number older records and
// snapshots carry, so they still read.
type Cell uint64

// String returns the cell in H3's usual lower-case hexadecimal form.
func (c Cell) String() string { return strconv.FormatUint(uint64(c), 16) }

// The H3 resolutions the platform keeps.
const (
	ResIncident = 9 // ~0.1 km²: incidents and duplicate merging
	ResDistrict = 7 // ~5 km²: map aggregation
	ResCity     = 5 // ~250 km²: city-wide aggregation
)

// ParseCell reads a cell in its String form.
func ParseCell(s string) (Cell, error) {
	if s == "" || len(s) > 16 {
		return 0, Invalid("cell", "want an H3 cell in hexadecimal, such as 89309a6c4ffffff")
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, Invalid("cell", "want an H3 cell in hexadecimal, such as 89309a6c4ffffff")
	}
	return Cell(v), nil
}

// AppendJSON appends the cell's JSON, its String form quoted.
func (c Cell) AppendJSON(b []byte) []byte {
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(c), 16)
	return append(b, '"')
}

// MarshalJSON writes the cell as its String form, a JSON string.
func (c Cell) MarshalJSON() ([]byte, error) { return c.AppendJSON(make([]byte, 0, 18)), nil }

// UnmarshalJSON reads a cell as a hexadecimal string or, as older records
// carry it, a number. null leaves the cell as it is.
func (c *Cell) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return errors.New("decoding a cell: no value")
	}
	switch b[0] {
	case 'n':
		if string(b) != "null" {
			break
		}
		return nil
	case '"':
		s, err := strconv.Unquote(string(b))
		if err != nil {
			break
		}
		v, err := ParseCell(s)
		if err != nil {
			return err
		}
		*c = v
		return nil
	default:
		v, err := strconv.ParseUint(string(b), 10, 64)
		if err != nil {
			break
		}
		*c = Cell(v)
		return nil
	}
	return Invalid("cell", "want an H3 cell in hexadecimal (or, as older records carry it, a number), not %.32s", b)
}
