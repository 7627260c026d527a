package bus

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The records of the pipeline's topics are these types as JSON, and JSON is
// the largest cost of every stage that reads or writes them. The stages use
// the json v2 implementation (the reference implementation of
// encoding/json/v2), two to three times faster than encoding/json at
// decoding and with a fraction of its allocations, with options that keep
// every record as it was with encoding/json.

// likeEncodingJSON are the json v2 options that accept what encoding/json
// accepts: names in any case, a name twice, invalid UTF-8.
var likeEncodingJSON = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// asEncodingJSON are the json v2 options that write what encoding/json
// writes, byte for byte.
var asEncodingJSON = jsonv1.DefaultOptionsV1()

// ReadJSON decodes b into v with json v2, reading as encoding/json reads. A
// value it refuses may still be one encoding/json takes: callers that must
// take exactly what encoding/json takes decode such a value again with it,
// as DecodeJSON does, or into a type of their own.
func ReadJSON(b []byte, v any) error { return jsonv2.Unmarshal(b, v, likeEncodingJSON) }

// DecodeJSON decodes b into v with json v2; a value it refuses is decoded
// again by encoding/json, whose error is returned, so a reader takes exactly
// what encoding/json would take, with encoding/json's reasons.
func DecodeJSON[T any](b []byte, v *T) error {
	if ReadJSON(b, v) == nil {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal(b, v)
}

// EncodeJSON returns the JSON of v as encoding/json writes it, byte for
// byte, but for one thing: a string that is not valid UTF-8 has each bad
// byte replaced by U+FFFD, which encoding/json writes escaped (\ufffd) and
// json v2 as the character itself. Both read back as the same string.
func EncodeJSON(v any) ([]byte, error) { return jsonv2.Marshal(v, asEncodingJSON) }
