package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/cityops/cityops"
)

// changeRecords returns the records of testdata/changes.ndjson and variants
// that the json v2 decoder refuses and encoding/json takes.
func changeRecords(t testing.TB) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/changes.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			recs = append(recs, append([]byte(nil), line...))
		}
	}
	return append(recs,
		[]byte(`{"kind":"created","incident":{"id":"inc-d","version":1,"version":2}}`),              // a name twice
		[]byte(`{"Kind":"created","Incident":{"ID":"inc-c","Version":3}}`),                          // names in another case
		[]byte("{\"kind\":\"created\",\"incident\":{\"id\":\"inc-u\",\"text\":\"bad \xff byte\"}}"), // invalid UTF-8
		[]byte(`{"kind":"merged","incident":{"id":"inc-m","version":1},"event":{"id":"ev-m"},"merge":{"signal":"ev-m","seq":3,"reports":3,"report_ids":["ev-a","ev-b","ev-m"]}}`),
	)
}

// TestDecodeChangeAsEncodingJSON: the sink decodes every record exactly as
// encoding/json does, whichever decoder did the work, but for the merge
// counters, which it does not read.
func TestDecodeChangeAsEncodingJSON(t *testing.T) {
	for _, rec := range changeRecords(t) {
		var want cityops.Change
		if err := json.Unmarshal(rec, &want); err != nil {
			t.Fatalf("%s: %v", rec, err)
		}
		want.Merge = nil
		got, err := decodeChange(rec)
		if err != nil {
			t.Fatalf("%s: %v", rec, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", rec, got, want)
		}
	}
}

// BenchmarkDecodeChange compares decoding a change record with encoding/json
// and as the sink does it: a created change, and a merged one with a
// hundred report ids (the processor's cap, common under load).
func BenchmarkDecodeChange(b *testing.B) {
	created := changeRecords(b)[0]
	var c cityops.Change
	if err := json.Unmarshal(created, &c); err != nil {
		b.Fatal(err)
	}
	c.Kind = cityops.ChangeMerged
	c.Merge = &cityops.Merge{Signal: c.Event.ID, Seq: 99, Reports: 120, First: c.Event.Time, Last: c.Event.Time}
	for i := range 100 {
		c.Merge.ReportIDs = append(c.Merge.ReportIDs, fmt.Sprintf("load-mwtf3c4l-%09d", i*7919))
	}
	merged, err := json.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	for _, rec := range []struct {
		name  string
		value []byte
	}{{"created", created}, {"merged", merged}} {
		b.Run(rec.name+"/encoding_json", func(b *testing.B) {
			b.SetBytes(int64(len(rec.value)))
			b.ReportAllocs()
			for range b.N {
				var c cityops.Change
				if err := json.Unmarshal(rec.value, &c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(rec.name+"/sink", func(b *testing.B) {
			b.SetBytes(int64(len(rec.value)))
			b.ReportAllocs()
			for range b.N {
				if _, err := decodeChange(rec.value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
