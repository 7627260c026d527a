package ingest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/cityops/cityops"
)

// FuzzDecodeEvent feeds arbitrary bytes to the JSON event decoder: it must
// not panic, and whatever it refuses it refuses with a field error.
func FuzzDecodeEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := testValidator.DecodeEvent(b)
		if err != nil {
			var fe *cityops.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if ev.Lat < -90 || ev.Lat > 90 || ev.Lon < -180 || ev.Lon > 180 || ev.Time.IsZero() {
			t.Fatalf("accepted %+v", ev)
		}
	})
}

// FuzzReadingsBatch feeds arbitrary bytes to the NDJSON batch decoder: it
// must not panic, and every line it reports is accepted or has a reason.
func FuzzReadingsBatch(f *testing.F) {
	h := &ReadingsHandler{Validator: testValidator, Devices: testDevices}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, msgs, _, _, err := h.decodeBatch(nil, io.NopCloser(bytes.NewReader(b)))
		if err != nil {
			return
		}
		if len(msgs) != res.Accepted || res.Accepted+res.Rejected+res.Limited != len(res.Results) {
			t.Fatalf("counts do not add up: %d records, %+v", len(msgs), res)
		}
		for _, r := range res.Results {
			if r.Status != "accepted" && r.Error == "" {
				t.Fatalf("line %d %s without a reason", r.Line, r.Status)
			}
		}
	})
}
