package stateful

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/go-json-experiment/json/jsontext"
)

// eventContent is an event without Received: what two records of one event
// must agree on. Received is when intake accepted it, which differs between
// a record and its resend.
type eventContent struct {
	ID       string         `json:"id"`
	Source   cityops.Source `json:"source"`
	Type     string         `json:"type"`
	Text     string         `json:"text,omitempty"`
	Lat      float64        `json:"lat"`
	Lon      float64        `json:"lon"`
	Time     time.Time      `json:"time"`
	Value    *float64       `json:"value,omitempty"`
	Unit     string         `json:"unit,omitempty"`
	DeviceID string         `json:"device_id,omitempty"`
}

// contentHash is the identity of an event's content: the SHA-256, in hex, of
// the canonical JSON (RFC 8785: members sorted, no spaces) of every field of
// the event as cityops.Event encodes it but Received. Two records with one id
// and one hash are the same event sent twice.
func contentHash(ev cityops.Event) (string, error) {
	sum, err := contentSum(ev)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// contentSum is contentHash's SHA-256 itself.
func contentSum(ev cityops.Event) ([sha256.Size]byte, error) {
	b, err := bus.EncodeJSON(eventContent{
		ID: ev.ID, Source: ev.Source, Type: ev.Type, Text: ev.Text, Lat: ev.Lat, Lon: ev.Lon,
		Time: ev.Time, Value: ev.Value, Unit: ev.Unit, DeviceID: ev.DeviceID,
	})
	if err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	v := jsontext.Value(b)
	if err := v.Canonicalize(); err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("canonicalizing event %s: %w", ev.ID, err)
	}
	return sha256.Sum256(v), nil
}
