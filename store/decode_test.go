package store

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	)
}

// TestDecodeChangeAsEncodingJSON: the sink decodes every record exactly as
// encoding/json does, whichever decoder did the work.
func TestDecodeChangeAsEncodingJSON(t *testing.T) {
	for _, rec := range changeRecords(t) {
		var want cityops.Change
		if err := json.Unmarshal(rec, &want); err != nil {
			t.Fatalf("%s: %v", rec, err)
		}
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
// and as the sink does it.
func BenchmarkDecodeChange(b *testing.B) {
	rec := changeRecords(b)[0]
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(rec)))
		for range b.N {
			var c cityops.Change
			if err := json.Unmarshal(rec, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sink", func(b *testing.B) {
		b.SetBytes(int64(len(rec)))
		for range b.N {
			if _, err := decodeChange(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
