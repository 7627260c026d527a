package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

var testValidator = &Validator{
	BBox: [4]float64{117.0, 30.57, 117.141, 30.672},
	Now:  func() time.Time { return time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC) },
}

// TestDecodeEventBad checks that each bad event in testdata/events is refused
// with an error that names the field at fault.
func TestDecodeEventBad(t *testing.T) {
	want := map[string]string{ // file -> field the error must name
		"empty":          "body",
		"truncated":      "body",
		"notjson":        "body",
		"array":          "",
		"two-values":     "body",
		"unknown-field":  "colour",
		"lat-string":     "lat",
		"missing-source": "source",
		"bad-source":     "source",
		"missing-type":   "type",
		"missing-text":   "text",
		"missing-lat":    "lat",
		"missing-lon":    "lon",
		"lat-range":      "lat",
		"lon-range":      "lon",
		"outside-city":   "lat/lon",
		"missing-time":   "time",
		"time-no-zone":   "time",
		"time-future":    "time",
		"time-old":       "time",
		"iot-no-value":   "value",
		"iot-no-device":  "device_id",
		"id-spaces":      "id",
	}
	files, err := filepath.Glob("testdata/events/*.bad.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d bad files, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".bad.json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = testValidator.DecodeEvent(b)
			var fe *cityops.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a field error", err)
			}
			if !errors.Is(err, cityops.ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
			if w, ok := want[name]; !ok {
				t.Errorf("no expectation for %s", name)
			} else if w != "" && fe.Field != w {
				t.Errorf("field: got %q, want %q (%v)", fe.Field, w, err)
			}
		})
	}
}

func TestDecodeEventGood(t *testing.T) {
	b, err := os.ReadFile("testdata/events/good.hotline.json")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := testValidator.DecodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Source != cityops.SourceHotline || ev.Lat != 30.61 || !ev.Time.Equal(time.Date(2026, 7, 1, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", ev)
	}
	if strings.Contains(ev.Text, "13812345678") || !strings.Contains(ev.Text, "138****5678") {
		t.Errorf("phone number not masked: %q", ev.Text)
	}
	b, err = os.ReadFile("testdata/events/good.iot.json")
	if err != nil {
		t.Fatal(err)
	}
	ev, err = testValidator.DecodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "water-001-20260701T0830" || ev.Value == nil || *ev.Value != 0.31 || ev.DeviceID != "water-001" {
		t.Errorf("decoded %+v", ev)
	}
}
