package tasks

import (
	"bytes"
	"encoding/json"

	"github.com/cityops/cityops"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Every change the dispatcher reads and every step it takes cost JSON: the
// change decoded, the transition and the incident's update encoded. It uses
// the json v2 implementation (the reference implementation of
// encoding/json/v2), with options that keep every record as it was with
// encoding/json.

// likeEncodingJSON are the json v2 options that accept what encoding/json
// accepts: names in any case, a name twice, invalid UTF-8.
var likeEncodingJSON = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// asEncodingJSON are the json v2 options that write what encoding/json
// writes, byte for byte (TestRecordsAsEncodingJSON).
var asEncodingJSON = jsonv1.DefaultOptionsV1()

// decode decodes b into v with the json v2 decoder; a value it refuses is
// decoded again by encoding/json, whose error is returned, so the service
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

// updatePrefix is how the service's own updates start (encoding/json
// writes the fields in their order, kind first).
var updatePrefix = []byte(`{"kind":"` + cityops.ChangeUpdated + `",`)

// isOwnUpdate reports whether value is an update of an incident, which
// only the dispatcher writes and its change consumer skips, by its leading
// kind alone: half the changes topic, skipped without decoding the rest.
func isOwnUpdate(value []byte) bool { return bytes.HasPrefix(value, updatePrefix) }
