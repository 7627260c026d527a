package rules_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
)

// alarmPack loads the demo pack with its alarms replaced by a testdata file.
func alarmPack(t *testing.T, file string) *rules.Pack {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fsys := withFile(t, "alarms.yaml", string(b)).(fstest.MapFS)
	fsys["merge.yaml"] = &fstest.MapFile{Data: []byte("window: 1h\n")}
	p, err := rules.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reading(dev, typ string, at time.Time, v float64) *cityops.Event {
	return &cityops.Event{ID: dev + at.Format(time.RFC3339), Source: cityops.SourceIoT, Type: typ, DeviceID: dev, Time: at, Value: &v}
}

// kinds summarises changes as "kind type@minute".
func kinds(cs []rules.AlarmChange, t0 time.Time, typ string) []string {
	var out []string
	for _, c := range cs {
		if c.Alarm.Type != typ {
			continue
		}
		at := c.Alarm.Updated
		out = append(out, string(c.Kind)+" "+c.Alarm.Type+"@"+strconv.Itoa(int(at.Sub(t0).Minutes())))
	}
	return out
}

func TestAlarmsDemo(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	type r struct {
		min  int
		typ  string
		v    float64
		tick bool // a Tick at this minute instead of a reading
	}
	for _, tc := range []struct {
		name  string
		alarm string
		in    []r
		want  []string
	}{
		{"three readings within ten minutes raise, repeats update, low clears", "water_level.high",
			[]r{{0, "water_level", 0.2, false}, {4, "water_level", 0.3, false}, {8, "water_level", 0.25, false}, {9, "water_level", 0.5, false}, {10, "water_level", 0.1, false}, {11, "water_level", 0.04, false}},
			[]string{"raised water_level.high@8", "updated water_level.high@9", "cleared water_level.high@11"}},
		{"hits spread wider than the window do not raise", "water_level.high",
			[]r{{0, "water_level", 0.2, false}, {6, "water_level", 0.2, false}, {12, "water_level", 0.2, false}, {18, "water_level", 0.2, false}},
			nil},
		{"between raise and clear levels the alarm stays open", "manhole.tilt",
			[]r{{0, "manhole_tilt", 20, false}, {1, "manhole_tilt", 10, false}, {2, "manhole_tilt", 8, false}, {3, "manhole_tilt", 4, false}},
			[]string{"raised manhole.tilt@0", "cleared manhole.tilt@3"}},
		{"fast rise raises the rate alarm", "water_level.rising",
			[]r{{0, "water_level", 0.0, false}, {6, "water_level", 0.1, false}, {12, "water_level", 0.1, false}},
			[]string{"raised water_level.rising@6", "cleared water_level.rising@12"}},
		{"silence raises offline, a reading clears it", "device.offline",
			[]r{{0, "manhole_tilt", 1, false}, {20, "", 0, true}, {45, "", 0, true}, {50, "", 0, true}, {60, "manhole_tilt", 1, false}},
			[]string{"raised device.offline@30", "cleared device.offline@60"}},
		{"noise needs two quiet readings to clear", "noise.loud",
			[]r{{0, "noise", 75, false}, {5, "noise", 72, false}, {10, "noise", 71, false}, {11, "noise", 45, false}, {12, "noise", 60, false}, {13, "noise", 45, false}, {14, "noise", 45, false}},
			[]string{"raised noise.loud@10", "cleared noise.loud@14"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := rules.NewAlarms(loadDemo(t).Alarms, time.UTC)
			var got []rules.AlarmChange
			for _, x := range tc.in {
				at := t0.Add(time.Duration(x.min) * time.Minute)
				if x.tick {
					got = append(got, a.Tick(at)...)
				} else {
					got = append(got, a.Observe(reading("dev", x.typ, at, x.v))...)
				}
			}
			if g := kinds(got, t0, tc.alarm); !slices.Equal(g, tc.want) {
				t.Errorf("got %q, want %q", g, tc.want)
			}
		})
	}
}

func TestAlarmOpenUpdatesCountLastPeak(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	a := rules.NewAlarms(loadDemo(t).Alarms, time.UTC)
	for i, v := range []float64{20, 30, 25, 10} {
		a.Observe(reading("m1", "manhole_tilt", t0.Add(time.Duration(i)*time.Minute), v))
	}
	open := a.Open()
	if len(open) != 1 {
		t.Fatalf("open alarms: %+v", open)
	}
	if al := open[0]; al.Count != 3 || al.Last != 10 || al.Peak != 30 || al.Device != "m1" || al.Category != "01003" {
		t.Errorf("got %+v", al)
	}
	if got := a.Observe(reading("m1", "manhole_tilt", t0, 50)); got != nil {
		t.Errorf("an out-of-order reading changed alarms: %+v", got)
	}
}

// beachSeries reads one beach's readings of one column from the real Chicago
// beach sensor file, in time order.
type point struct {
	at time.Time
	v  float64
}

func beachSeries(t *testing.T, beach, column string) []point {
	t.Helper()
	f := realdata.Open(t, "iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv")
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	var out []point
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col["Beach Name"]] != beach || rec[col[column]] == "" || rec[col["Measurement Timestamp"]] == "" {
			continue
		}
		at, err := time.ParseInLocation("01/02/2006 03:04:05 PM", rec[col["Measurement Timestamp"]], chicago)
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.ParseFloat(rec[col[column]], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, point{at, v})
	}
	slices.SortStableFunc(out, func(a, b point) int { return a.at.Compare(b.at) })
	return out
}

// event is an expected alarm event: what the test computes from the data.
type event struct {
	kind  rules.AlarmChangeKind
	at    time.Time
	count int
	peak  float64
}

// expectThreshold computes, straight from the series, when an alarm raised
// by n readings >= hi within w and cleared by k readings in a row < lo opens
// and closes.
func expectThreshold(s []point, hi float64, n int, w time.Duration, lo float64, k int) []event {
	var out []event
	open, since := false, time.Time{}
	count, quiet, peak := 0, 0, 0.0
	for i, p := range s {
		if open {
			peak = max(peak, p.v)
			switch {
			case p.v >= hi:
				count++
				quiet = 0
			case p.v < lo:
				if quiet++; quiet >= k {
					out = append(out, event{rules.AlarmCleared, p.at, count, peak})
					open, since = false, p.at
				}
			default:
				quiet = 0
			}
			continue
		}
		if p.v < hi {
			continue
		}
		hits := 0
		for j := i; j >= 0 && s[j].at.After(p.at.Add(-w)) && s[j].at.After(since); j-- {
			if s[j].v >= hi {
				hits++
			}
		}
		if hits >= n {
			open, count, quiet, peak = true, hits, 0, p.v
			out = append(out, event{rules.AlarmRaised, p.at, 0, 0})
		}
	}
	return out
}

func got(cs []rules.AlarmChange, typ string) []event {
	var out []event
	for _, c := range cs {
		switch {
		case c.Alarm.Type != typ:
		case c.Kind == rules.AlarmRaised:
			out = append(out, event{c.Kind, c.Alarm.Raised, 0, 0})
		case c.Kind == rules.AlarmCleared:
			out = append(out, event{c.Kind, c.Alarm.Cleared, c.Alarm.Count, c.Alarm.Peak})
		}
	}
	return out
}

func compare(t *testing.T, what string, got, want []event) {
	t.Helper()
	raised := 0
	for _, e := range want {
		if e.kind == rules.AlarmRaised {
			raised++
		}
	}
	if raised < 3 {
		t.Fatalf("%s: the data raise only %d alarms; choose a livelier history", what, raised)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d alarm events, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if g, w := got[i], want[i]; g.kind != w.kind || !g.at.Equal(w.at) || g.count != w.count || g.peak != w.peak {
			t.Errorf("%s event %d: got %+v, want %+v", what, i, g, w)
			return
		}
	}
	t.Logf("%s: %d alarms raised, %d events", what, raised, len(want))
}

func TestAlarmsChicagoBeach(t *testing.T) {
	p := alarmPack(t, "testdata/alarms_beach.yaml")
	const beach = "Montrose Beach"
	turb := beachSeries(t, beach, "Turbidity")
	temp := beachSeries(t, beach, "Water Temperature")

	var evs []*cityops.Event
	for _, x := range turb {
		evs = append(evs, reading(beach, "turbidity", x.at, x.v))
	}
	for _, x := range temp {
		evs = append(evs, reading(beach, "water_temperature", x.at, x.v))
	}
	slices.SortStableFunc(evs, func(a, b *cityops.Event) int { return a.Time.Compare(b.Time) })

	replay := func(a *rules.Alarms, evs []*cityops.Event) []rules.AlarmChange {
		var out []rules.AlarmChange
		for _, ev := range evs {
			out = append(out, a.Tick(ev.Time)...)
			out = append(out, a.Observe(ev)...)
		}
		return out
	}
	all := replay(rules.NewAlarms(p.Alarms, p.Location), evs)

	compare(t, "turbidity.high", got(all, "turbidity.high"), expectThreshold(turb, 5, 3, 3*time.Hour, 2, 2))

	// Rate of change: the previous reading at most 90 minutes before, a
	// fall of 2 °C an hour raises; a change above -0.5 °C an hour clears.
	var want []event
	open := false
	for i := 1; i < len(temp); i++ {
		dt := temp[i].at.Sub(temp[i-1].at)
		rate := (temp[i].v - temp[i-1].v) / dt.Hours()
		if !open && dt <= 90*time.Minute && rate <= -2 {
			open = true
			want = append(want, event{rules.AlarmRaised, temp[i].at, 0, 0})
		} else if open && rate > -0.5 {
			open = false
			want = append(want, event{rules.AlarmCleared, temp[i].at, -1, 0})
		}
	}
	g := got(all, "temperature.drop")
	for i := range g {
		if g[i].kind == rules.AlarmCleared {
			g[i].count, g[i].peak = -1, 0
		}
	}
	compare(t, "temperature.drop", g, want)

	// Offline: every gap of three hours or more between turbidity readings.
	want = nil
	for i := 1; i < len(turb); i++ {
		if turb[i].at.Sub(turb[i-1].at) >= 3*time.Hour {
			want = append(want, event{rules.AlarmRaised, turb[i-1].at.Add(3 * time.Hour), 0, 0},
				event{rules.AlarmCleared, turb[i].at, 1, turb[i-1].v})
		}
	}
	compare(t, "beach.offline", got(all, "beach.offline"), want)

	// A replica that takes over halfway, from a snapshot, ends with the
	// same alarms as one that saw everything.
	a := rules.NewAlarms(p.Alarms, p.Location)
	half := len(evs) / 2
	first := replay(a, evs[:half])
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := rules.NewAlarms(p.Alarms, p.Location)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	second := replay(b, evs[half:])
	if g, w := len(first)+len(second), len(all); g != w {
		t.Errorf("snapshot and restore: %d changes, want %d", g, w)
	}
	for i, c := range slices.Concat(first, second) {
		if i < len(all) && (c.Kind != all[i].Kind || c.Alarm != all[i].Alarm) {
			t.Fatalf("change %d after restore: %+v, want %+v", i, c, all[i])
		}
	}
}

func TestAlarmsSantander(t *testing.T) {
	p := alarmPack(t, "testdata/alarms_santander.yaml")
	b := realdata.Read(t, "iot/santander/sensores_smart_env_monitoring_snapshot.json")
	var snap struct {
		Resources []map[string]string `json:"resources"`
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	a := rules.NewAlarms(p.Alarms, p.Location)
	var changes []rules.AlarmChange
	var latest time.Time
	last := map[string]time.Time{} // device -> its reading time
	loud := 0
	for _, r := range snap.Resources {
		at, err := time.Parse(time.RFC3339, r["dc:modified"])
		if err != nil {
			t.Fatal(err)
		}
		if at.After(latest) {
			latest = at
		}
		for _, typ := range []string{"noise", "temperature", "light"} {
			s := strings.TrimSpace(r["ayto:"+typ])
			if s == "" {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			if typ == "noise" && v >= 65 {
				loud++
			}
			last[r["dc:identifier"]+"/"+typ] = at
			changes = append(changes, a.Observe(reading(r["dc:identifier"], typ, at, v))...)
		}
	}
	changes = append(changes, a.Tick(latest)...)
	offline := map[string]bool{}
	for k, at := range last {
		if latest.Sub(at) >= 30*time.Minute {
			offline[strings.Split(k, "/")[0]] = true // one alarm per device, whatever it measures
		}
	}
	n := map[string]int{}
	for _, c := range changes {
		if c.Kind == rules.AlarmRaised {
			n[c.Alarm.Type]++
		}
	}
	if n["noise.high"] != loud || loud == 0 {
		t.Errorf("noise alarms: %d, want %d", n["noise.high"], loud)
	}
	if n["sensor.offline"] != len(offline) || len(offline) == 0 {
		t.Errorf("offline alarms: %d, want %d", n["sensor.offline"], len(offline))
	}
	t.Logf("%d sensors: %d loud, %d offline at %s", len(snap.Resources), loud, len(offline), latest)
}

func TestAlarmsSeeLocalHour(t *testing.T) {
	p := loadDemo(t)
	// 15:00 UTC is 23:00 in Shanghai: 60 dB is loud at night only.
	t0 := time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		loc  *time.Location
		want int
	}{{p.Location, 1}, {time.UTC, 0}} {
		a := rules.NewAlarms(p.Alarms, tc.loc)
		raised := 0
		for i := range 3 {
			for _, c := range a.Observe(reading("n1", "noise", t0.Add(time.Duration(i)*time.Minute), 60)) {
				if c.Kind == rules.AlarmRaised {
					raised++
				}
			}
		}
		if raised != tc.want {
			t.Errorf("in %s: %d alarms raised, want %d", tc.loc, raised, tc.want)
		}
	}
}

func TestAlarmsAfterReload(t *testing.T) {
	p := loadDemo(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	old := rules.NewAlarms(p.Alarms, p.Location)
	old.Observe(reading("m1", "manhole_tilt", t0, 30))
	old.Observe(reading("n1", "noise", t0, 80))
	// The reloaded pack drops the manhole alarm type: its open alarm goes,
	// the rest of the state carries over.
	var kept []*rules.AlarmDef
	for _, d := range p.Alarms {
		if d.ID != "manhole.tilt" {
			kept = append(kept, d)
		}
	}
	snap, err := old.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	next := rules.NewAlarms(kept, p.Location)
	if err := next.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if n := len(next.Open()); n != 0 {
		t.Errorf("%d open alarms after the reload, want 0", n)
	}
	var got []string
	for i := 1; i <= 2; i++ {
		for _, c := range next.Observe(reading("n1", "noise", t0.Add(time.Duration(i)*time.Minute), 80)) {
			got = append(got, string(c.Kind)+" "+c.Alarm.Type)
		}
	}
	if !slices.Equal(got, []string{"raised noise.loud"}) {
		t.Errorf("noise hits did not carry over: %q", got)
	}
	if err := next.Restore([]byte("{not json")); err == nil {
		t.Error("restored a broken snapshot")
	}
}

func TestAlarmsExpectRegisteredDevices(t *testing.T) {
	p := loadDemo(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	a := rules.NewAlarms(p.Alarms, p.Location)
	a.Expect(p.Devices, t0)
	a.Observe(reading("water-001", "water_level", t0.Add(10*time.Minute), 0.5))
	watched := 0
	for _, d := range p.Devices {
		if d.Type == "water_level" || d.Type == "manhole_tilt" || d.Type == "noise" {
			watched++
		}
	}
	// water-001 reported; every other watched device stayed silent.
	raised := 0
	for _, c := range a.Tick(t0.Add(35 * time.Minute)) {
		if c.Alarm.Type != "device.offline" || c.Alarm.Device == "water-001" {
			t.Errorf("unexpected %s %s %s", c.Kind, c.Alarm.Type, c.Alarm.Device)
		}
		raised++
	}
	if raised != watched-1 {
		t.Errorf("%d offline alarms, want %d", raised, watched-1)
	}
	// A first reading after Expect has no rate: the rise from nothing is
	// not a rise.
	for _, c := range a.Observe(reading("water-002", "water_level", t0.Add(36*time.Minute), 0.1)) {
		if c.Alarm.Type == "water_level.rising" {
			t.Errorf("a first reading raised %s", c.Alarm.Type)
		}
	}
}
