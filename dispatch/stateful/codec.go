package stateful

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// JSON is the stage's largest cost: every event is decoded, and every
// signal and change encoded and decoded again. The stage uses the json v2
// implementation (the reference implementation of encoding/json/v2), two to
// three times faster than encoding/json at decoding and with a fraction of
// its allocations, with options that keep what goes in and comes out as it
// was with encoding/json.

// likeEncodingJSON are the json v2 options that accept what encoding/json
// accepts: names in any case, a name twice, invalid UTF-8.
var likeEncodingJSON = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// asEncodingJSON are the json v2 options that write what encoding/json
// writes, byte for byte (TestOutputsAsEncodingJSON).
var asEncodingJSON = jsonv1.DefaultOptionsV1()

// decode decodes b into v with the json v2 decoder; a value it refuses is
// decoded again by encoding/json, whose error is returned, so the stage
// takes exactly what it took before.
func decode[T any](b []byte, v *T) error {
	if jsonv2.Unmarshal(b, v, likeEncodingJSON) == nil {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal(b, v)
}

// encode returns the JSON of v as encoding/json writes it.
func encode(v any) ([]byte, error) {
	return jsonv2.Marshal(v, asEncodingJSON)
}
