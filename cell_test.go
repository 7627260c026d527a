package cityops_test

import (
	"encoding/json"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
)

// A cell is written as its H3 string and read back from that string or from
// the number older records carry, by both JSON codecs the stages use.
func TestCellJSON(t *testing.T) {
	const c = cityops.Cell(618147529240084479) // above 2^53: a double rounds it
	type rec struct {
		Cell cityops.Cell `json:"cell"`
	}
	for _, enc := range []struct {
		name string
		f    func(any) ([]byte, error)
	}{{"encoding/json", json.Marshal}, {"EncodeJSON", bus.EncodeJSON}} {
		b, err := enc.f(rec{c})
		if err != nil || string(b) != `{"cell":"`+c.String()+`"}` {
			t.Errorf("%s: %s %v, want the hex string %s", enc.name, b, err, c)
		}
	}
	for _, in := range []string{`{"cell":"` + c.String() + `"}`, `{"cell":618147529240084479}`} {
		var a, b rec
		if err := json.Unmarshal([]byte(in), &a); err != nil || a.Cell != c {
			t.Errorf("encoding/json of %s: %v %v", in, a.Cell, err)
		}
		if err := bus.ReadJSON([]byte(in), &b); err != nil || b.Cell != c {
			t.Errorf("ReadJSON of %s: %v %v", in, b.Cell, err)
		}
	}
	for _, in := range []string{`{"cell":"zz"}`, `{"cell":-1}`, `{"cell":1.5}`, `{"cell":true}`, `{"cell":""}`} {
		var a, b rec
		if json.Unmarshal([]byte(in), &a) == nil {
			t.Errorf("encoding/json took %s", in)
		}
		if bus.ReadJSON([]byte(in), &b) == nil {
			t.Errorf("ReadJSON took %s", in)
		}
	}
	var n rec
	if err := bus.ReadJSON([]byte(`{"cell":null}`), &n); err != nil || n.Cell != 0 {
		t.Errorf("null: %v %v", n.Cell, err)
	}
}
