package readings

import (
	"reflect"
	"testing"

	"github.com/cityops/cityops/ingest"
	jsonv2 "github.com/go-json-experiment/json"
)

// flatRecords are records decodeFlat must take (true) or hand to json v2
// (false), with why.
var flatRecords = []struct {
	in   string
	fast bool
}{
	{`{"id":"r-1","device_id":"water-001","type":"water_level","value":1.25,"unit":"m","time":"2026-07-01T09:00:00Z","lat":30.6,"lon":117.07}`, true},
	{` { "device_id" : "water-001" , "value" : -0.5e-3 , "time" : "2026-07-01T09:00:00Z" } `, true},
	{"{\n\t\"device_id\":\"w\",\r\n\"value\":0}\n", true},
	{`{}`, true},
	{`{"value":1E+2,"lat":-0,"lon":0.0}`, true},
	{`{"device_id":"water-001","device_id":"water-002"}`, false}, // a member twice: json v2 refuses it
	{`{"Device_ID":"water-001"}`, false},                         // another case: unknown
	{`{"device_id":"water-001","extra":1}`, false},               // unknown member
	{`{"device_id":"w\u0061ter"}`, false},                        // an escape
	{`{"device_id":"水位-001"}`, false},                            // non-ASCII
	{`{"value":"1.5"}`, false},                                   // a string for a number
	{`{"id":"r-1","device_id":"water-001","type":"","value":0.5,"unit":"","time":"2026-07-01T09:00:00Z","lat":null,"lon":null}`, true},
	{`{"id":null,"value":null , "lat" :null}`, true},
	{`{"value":nul}`, false},
	{`{"value":nullx}`, false},
	{`{"value":01}`, false}, // leading zero
	{`{"value":1.}`, false}, // no digits after the point
	{`{"value":.5}`, false},
	{`{"value":1e}`, false},
	{`{"value":1e999}`, false}, // out of range
	{`{"value":+1}`, false},
	{`{"value":0x10}`, false},
	{`{"value":Infinity}`, false},
	{`{"value":1,}`, false},
	{`{"value":1}{}`, false},
	{`{"value":1} x`, false},
	{`{"device_id":"w"`, false},
	{`[]`, false},
	{``, false},
	{`{"device_id":"a` + "\t" + `b"}`, false}, // a control character
}

func TestDecodeFlat(t *testing.T) {
	for _, tc := range flatRecords {
		var r ingest.Reading
		if got := decodeFlat([]byte(tc.in), &r); got != tc.fast {
			t.Errorf("decodeFlat(%s) = %v, want %v", tc.in, got, tc.fast)
		}
		agreesWithJSONv2(t, []byte(tc.in))
	}
}

// FuzzDecodeFlat checks that whatever decodeFlat takes, json v2 with the
// stage's options takes too, to the same reading.
func FuzzDecodeFlat(f *testing.F) {
	for _, tc := range flatRecords {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(agreesWithJSONv2)
}

func agreesWithJSONv2(t *testing.T, b []byte) {
	var fast ingest.Reading
	if !decodeFlat(b, &fast) {
		return
	}
	var slow ingest.Reading
	if err := jsonv2.Unmarshal(b, &slow, strict); err != nil {
		t.Fatalf("decodeFlat took %q, which json v2 refuses: %v", b, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: decodeFlat read %+v, json v2 %+v", b, show(fast), show(slow))
	}
}

// show prints a reading's numbers rather than their addresses.
func show(r ingest.Reading) []any {
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return []any{r.ID, r.DeviceID, r.Type, num(r.Value), r.Unit, r.Time, num(r.Lat), num(r.Lon)}
}

func BenchmarkDecodeFlat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var r ingest.Reading
		if !decodeFlat(benchRecord, &r) {
			b.Fatal("not flat")
		}
	}
}
