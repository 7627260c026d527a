package tasks

import (
	"bytes"

	"github.com/cityops/cityops"
)

// updatePrefix is how the service's own updates start (encoding/json
// writes the fields in their order, kind first).
var updatePrefix = []byte(`{"kind":"` + cityops.ChangeUpdated + `",`)

// isOwnUpdate reports whether value is an update of an incident, which
// only the dispatcher writes and its change consumer skips, by its leading
// kind alone: half the changes topic, skipped without decoding the rest.
func isOwnUpdate(value []byte) bool { return bytes.HasPrefix(value, updatePrefix) }
