package stateful

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestSpliceField checks that the snapshots' envelopes built by hand decode
// as json.Marshal of the same values would.
func TestSpliceField(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		obj  []string
		want map[string]any
	}{
		{"state", `{"a":[1,2]}`, []string{`{"offset":`, `42`, `}`},
			map[string]any{"state": map[string]any{"a": []any{1.0, 2.0}}, "offset": 42.0}},
		{"merger", `[]`, []string{`{"incs":{"i-1":{"seq":3}},"seen":{}}`},
			map[string]any{"merger": []any{}, "incs": map[string]any{"i-1": map[string]any{"seq": 3.0}}, "seen": map[string]any{}}},
		{"merger", `null`, []string{`{}`}, map[string]any{"merger": nil}},
		{"state", ` { "spaced" : true } `, []string{`{"offset":0}`},
			map[string]any{"state": map[string]any{"spaced": true}, "offset": 0.0}},
	}
	for _, tt := range tests {
		var obj [][]byte
		for _, o := range tt.obj {
			obj = append(obj, []byte(o))
		}
		b := spliceField(tt.name, []byte(tt.raw), obj...)
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("spliceField(%q, %s, %q) = %s: %v", tt.name, tt.raw, tt.obj, b, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("spliceField(%q, %s, %q) = %s, decoded %v, want %v", tt.name, tt.raw, tt.obj, b, got, tt.want)
		}
	}
}
