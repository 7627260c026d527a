package web

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/cityops/cityops"
)

// TestDecodeChangeLikeEncodingJSON checks that the consumer's decoder takes
// every record of testdata/changes.jsonl (real-shaped changes, and names in
// other cases, a name twice, invalid UTF-8, wrong types, not JSON) exactly
// as encoding/json does: the same change, or an error for the same records.
func TestDecodeChangeLikeEncodingJSON(t *testing.T) {
	b, err := os.ReadFile("testdata/changes.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var want cityops.Change
		wantErr := json.Unmarshal(line, &want)
		got, err := decodeChange(line)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("line %d: error %v, encoding/json says %v", i+1, err, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("line %d: got %+v, want %+v", i+1, got, want)
		}
	}
}

func TestIsSignal(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{`{"kind":"merged","incident":{"id":"INC-1"}}`, true},
		{`{"kind":"cleared","incident":{"id":"INC-1"}}`, true},
		{`{"kind":"created","incident":{"id":"INC-1"}}`, false},
		{`{"kind":"updated","incident":{"id":"INC-1"}}`, false},
		{`{"kind":"mergedx","incident":{"id":"INC-1"}}`, false},
		{`{"incident":{"id":"INC-1"},"kind":"merged"}`, false}, // decoded in full; the hub counts it
		{`{"kind": "merged"}`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := isSignal([]byte(tt.value)); got != tt.want {
			t.Errorf("isSignal(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
