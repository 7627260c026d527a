package tasks

import (
	"bytes"
	"encoding/json"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
)

// updatePrefix is how the service's own updates start (encoding/json
// writes the fields in their order, kind first).
var updatePrefix = []byte(`{"kind":"` + cityops.ChangeUpdated + `",`)

// isOwnUpdate reports whether value is an update of an incident, which
// only the dispatcher writes and its change consumer skips, by its leading
// kind alone: half the changes topic, skipped without decoding the rest.
func isOwnUpdate(value []byte) bool { return bytes.HasPrefix(value, updatePrefix) }

// change is a cityops.Change as the change consumer reads it: without the
// event, which the dispatcher never uses. An event is a third to a half of
// a created or merged change, and json v2 skips it without building it.
type change struct {
	Kind     cityops.ChangeKind `json:"kind"`
	Incident cityops.Incident   `json:"incident"`
	Merge    *cityops.Merge     `json:"merge,omitempty"`
}

// decodeChange decodes a record of the changes topic without its event. A
// record json v2 refuses is decoded again by encoding/json, so the consumer
// takes every change it took before; one whose event alone is malformed it
// now takes too, since it never reads the event.
func decodeChange(value []byte) (cityops.Change, error) {
	var c change
	if bus.ReadJSON(value, &c) == nil {
		return cityops.Change{Kind: c.Kind, Incident: c.Incident, Merge: c.Merge}, nil
	}
	var full cityops.Change
	if err := json.Unmarshal(value, &full); err != nil {
		return cityops.Change{}, err
	}
	full.Event = nil
	return full, nil
}
