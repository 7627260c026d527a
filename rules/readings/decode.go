package readings

import (
	"strconv"

	"github.com/cityops/cityops/ingest"
)

// decodeFlat decodes the common form of a readings.raw record, the flat
// object gateways and intake write, in one pass without reflection: the
// members of ingest.Reading, each at most once, strings without escapes or
// non-ASCII bytes, numbers for the numbers, null for none. It reports false
// for anything else, valid or not, and check then decodes the record with
// json v2, which accepts what is valid and names the field of what is not;
// so the two agree on every record (FuzzDecodeFlat), and this is only the
// fast way to the same result (docs/performance.md has the two's costs).
func decodeFlat(b []byte, r *ingest.Reading) bool {
	d := flat{b: b}
	if !d.byte('{') {
		return false
	}
	var seen uint8
	var nums [3]float64 // value, lat and lon: one allocation for the three
	if d.byte('}') {
		return d.end()
	}
	for {
		name, ok := d.str()
		if !ok || !d.byte(':') {
			return false
		}
		var bit uint8
		switch string(name) {
		case "id":
			bit = 1 << 0
			r.ID, ok = d.strValue()
		case "device_id":
			bit = 1 << 1
			r.DeviceID, ok = d.strValue()
		case "type":
			bit = 1 << 2
			r.Type, ok = d.strValue()
		case "unit":
			bit = 1 << 3
			r.Unit, ok = d.strValue()
		case "time":
			bit = 1 << 4
			r.Time, ok = d.strValue()
		case "value":
			bit = 1 << 5
			r.Value, ok = d.num(&nums[0])
		case "lat":
			bit = 1 << 6
			r.Lat, ok = d.num(&nums[1])
		case "lon":
			bit = 1 << 7
			r.Lon, ok = d.num(&nums[2])
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if d.byte(',') {
			continue
		}
		return d.byte('}') && d.end()
	}
}

// flat reads a record left to right.
type flat struct {
	b []byte
	i int
}

func (d *flat) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after any white space.
func (d *flat) byte(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether nothing but white space is left.
func (d *flat) end() bool {
	d.space()
	return d.i == len(d.b)
}

// str reads a string of printable ASCII without escapes.
func (d *flat) str() ([]byte, bool) {
	if !d.byte('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], true
		case c < 0x20 || c == '\\' || c >= 0x80:
			return nil, false
		}
		d.i++
	}
	return nil, false
}

// strValue reads a string member's value: a string, or null for none.
func (d *flat) strValue() (string, bool) {
	if d.null() {
		return "", true
	}
	s, ok := d.str()
	return string(s), ok
}

// num reads a number in JSON's grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
// into *f; null is no number.
func (d *flat) num(f *float64) (*float64, bool) {
	if d.null() {
		return nil, true
	}
	start := d.i
	d.skip('-')
	switch {
	case d.skip('0'):
	case d.i < len(d.b) && d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.skip('.') && d.digits() == 0 {
		return nil, false
	}
	if d.skip('e') || d.skip('E') {
		if !d.skip('+') {
			d.skip('-')
		}
		if d.digits() == 0 {
			return nil, false
		}
	}
	v, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, false
	}
	*f = v
	return f, true
}

// null consumes a null after any white space, when it is next.
func (d *flat) null() bool {
	d.space()
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

func (d *flat) skip(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *flat) digits() int {
	n := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}
