package stateful

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/ingest/privacy"
)

// FuzzClassifyRecord feeds arbitrary bytes to a classify partition as a
// record of events.raw. Each is either dead-lettered, alone, with a reason
// naming a field, or passed on as a valid event: masked, with an id, a
// known source, a time and a position inside the city.
func FuzzClassifyRecord(f *testing.F) {
	for _, tc := range readHostile(f) {
		f.Add(tc.record)
	}
	c, _ := hostileStage(f)
	bbox := c.w.proc.Areas().BBox()
	var offset int64
	f.Fuzz(func(t *testing.T, b []byte) {
		offset++
		_, out := applyOne(t, c, offset, b)
		if dlq := out.byTopic[DefaultTopics.DeadLetters]; len(dlq) > 0 {
			reason := header(dlq[0], bus.HeaderReason)
			field, _, ok := strings.Cut(strings.TrimPrefix(reason, "invalid event: "), ": ")
			if len(dlq) != 1 || out.n != 1 || !ok || field == "" || !strings.HasPrefix(reason, "invalid event: ") {
				t.Fatalf("%d dead letters of %d records; reason %q", len(dlq), out.n, reason)
			}
			var fe *cityops.FieldError
			if err := c.in.errs[0]; err != nil && (!errors.As(err, &fe) || fe.Field != field) {
				t.Fatalf("refused with %v, reason %q", err, reason)
			}
			return
		}
		if err := c.in.errs[0]; err != nil {
			t.Fatalf("refused with %v but not dead-lettered", err)
		}
		ev := c.in.vals[0]
		masked := ev
		privacy.MaskEvent(&masked)
		switch {
		case masked != ev:
			t.Fatalf("passed unmasked: %+v", ev)
		case ev.ID == "" || !ev.Source.Valid() || ev.Type == "":
			t.Fatalf("passed without an id, a source or a type: %+v", ev)
		case ev.Time.IsZero() || ev.Lat == 0 || ev.Lon == 0:
			t.Fatalf("passed without a time or a position: %+v", ev)
		case ev.Lon < bbox[0] || ev.Lat < bbox[1] || ev.Lon > bbox[2] || ev.Lat > bbox[3]:
			t.Fatalf("passed outside the city: %+v", ev)
		case !utf8.ValidString(ev.ID + ev.Type + ev.Text + ev.Unit + ev.DeviceID):
			t.Fatalf("passed invalid UTF-8: %+v", ev)
		case ev.Source == cityops.SourceIoT && (ev.Value == nil || ev.DeviceID == ""):
			t.Fatalf("passed a reading without a value or a device: %+v", ev)
		case ev.Source == cityops.SourceHotline && ev.Text == "":
			t.Fatalf("passed a report without text: %+v", ev)
		}
	})
}
