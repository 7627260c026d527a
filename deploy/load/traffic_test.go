package load

import (
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
)

func readData(t *testing.T, path string) []byte {
	t.Helper()
	return realdata.Read(t, path)
}

func demoTraffic(t *testing.T, mix float64) (*Traffic, *rules.Pack) {
	t.Helper()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTraffic("t1", pack, Sources{
		NYC311:     readData(t, "nyc311/nyc311_dev.csv"),
		Beach:      readData(t, "iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv"),
		Santander:  readData(t, "iot/santander/sensores_smart_env_monitoring_snapshot.json"),
		HotlineMix: mix,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr, pack
}

// TestTrafficIsTheDemoCitys: the replayed NYC requests land inside the demo
// city, keep their real types and texts, and the readings are the pack's
// devices with recorded values.
func TestTrafficIsTheDemoCitys(t *testing.T) {
	tr, pack := demoTraffic(t, 0.5)
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	if tr.HotlineRows() < 5000 {
		t.Fatalf("only %d of the 6,978 NYC requests were placed in the demo city", tr.HotlineRows())
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ids := map[string]bool{}
	var hot, iot int
	types := map[string]bool{}
	for n := range 10000 {
		ev := tr.Event(n, now)
		if ids[ev.ID] {
			t.Fatalf("event %d: id %s repeated", n, ev.ID)
		}
		ids[ev.ID] = true
		if !strings.HasPrefix(ev.ID, tr.Prefix()) || !ev.Time.Equal(now) {
			t.Fatalf("event %d: id %s, time %v", n, ev.ID, ev.Time)
		}
		switch ev.Source {
		case cityops.SourceHotline:
			hot++
			types[ev.Type] = true
			if _, ok := areas.Locate(ev.Lat, ev.Lon); !ok || ev.Text == "" {
				t.Fatalf("event %d: %+v is outside the city or has no text", n, ev)
			}
		case cityops.SourceIoT:
			iot++
			if ev.Value == nil || ev.DeviceID == "" {
				t.Fatalf("event %d: reading without value or device: %+v", n, ev)
			}
		}
	}
	if hot != 5000 || iot != 5000 {
		t.Errorf("mix 0.5 gave %d hotline and %d readings of 10,000", hot, iot)
	}
	if !types["Noise - Residential"] || !types["HEAT/HOT WATER"] {
		t.Errorf("the NYC complaint types are not replayed: %d types", len(types))
	}
}

// TestTrafficRecordsPassIntake: every request the tool posts passes the
// intake's own validation for the demo city.
func TestTrafficRecordsPassIntake(t *testing.T) {
	tr, pack := demoTraffic(t, 0.3)
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	v := ingestValidator(areas.BBox())
	now := time.Now()
	for n := range 2000 {
		b, err := tr.Request(n, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.DecodeEvent(b); err != nil {
			t.Fatalf("event %d refused by intake: %v\n%s", n, err, b)
		}
	}
}

// TestTrafficReadingsPassIntake: the hand-written readings are what intake
// reads back as the reading the traffic meant, registry filled in.
func TestTrafficReadingsPassIntake(t *testing.T) {
	tr, pack := demoTraffic(t, 0.3)
	v := ingest.Validator{}
	now := time.Date(2026, 7, 1, 9, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	v.Now = func() time.Time { return now }
	reg := ingest.NewRegistry(pack.Devices)
	for n := range 2000 {
		if tr.Hotline(n) {
			continue
		}
		m, err := tr.Reading(n, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.DecodeReading(reg, m.Value)
		if err != nil {
			t.Fatalf("reading %d refused by intake: %v\n%s", n, err, m.Value)
		}
		want := tr.Event(n, now)
		if got.ID != want.ID || got.DeviceID != want.DeviceID || *got.Value != *want.Value || !got.Time.Equal(want.Time) ||
			got.Type != want.Type || got.Lat != want.Lat || string(m.Key) != want.DeviceID {
			t.Fatalf("reading %d: %s read as %+v, want %+v", n, m.Value, got, want)
		}
	}
}

func TestMixIsChecked(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewTraffic("x", pack, Sources{HotlineMix: 1.5})
	if fe, ok := err.(*cityops.FieldError); !ok || fe.Field != "mix" {
		t.Errorf("mix 1.5: got %v, want a field error naming mix", err)
	}
}

// TestTrafficWithoutRealData: with no real data the run replays the demo
// city's simulated requests and readings, which pass the intake's
// validation, the same on every run.
func TestTrafficWithoutRealData(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTraffic("t1", pack, Sources{HotlineMix: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewTraffic("t1", pack, Sources{HotlineMix: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if tr.HotlineRows() < 5000 {
		t.Fatalf("only %d simulated requests", tr.HotlineRows())
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	v := ingestValidator(areas.BBox())
	now := time.Now()
	var hot, iot int
	for n := range 4000 {
		ev := tr.Event(n, now)
		if ev2 := again.Event(n, now); ev.Text != ev2.Text || ev.Lat != ev2.Lat || (ev.Value == nil) != (ev2.Value == nil) {
			t.Fatalf("event %d differs between runs: %+v, %+v", n, ev, ev2)
		}
		if ev.Source == cityops.SourceHotline {
			hot++
			if _, ok := areas.Locate(ev.Lat, ev.Lon); !ok || ev.Text == "" {
				t.Fatalf("event %d: %+v is outside the city or has no text", n, ev)
			}
		} else {
			iot++
			if ev.Value == nil || ev.DeviceID == "" {
				t.Fatalf("event %d: reading without value or device: %+v", n, ev)
			}
		}
		b, err := tr.Request(n, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.DecodeEvent(b); err != nil {
			t.Fatalf("event %d refused by intake: %v\n%s", n, err, b)
		}
	}
	if hot != 2000 || iot != 2000 {
		t.Errorf("mix 0.5 gave %d hotline and %d readings of 4,000", hot, iot)
	}
}
