package rules

import (
	"slices"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/expr-lang/expr/vm"
)

// Alarm is one open alarm: at most one per device and alarm type.
type Alarm struct {
	ID       string    `json:"id"` // device, type and raise time: the same readings give the same id
	Device   string    `json:"device"`
	Type     string    `json:"type"` // the AlarmDef id
	Category string    `json:"category,omitempty"`
	Severity int       `json:"severity,omitempty"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	Raised   time.Time `json:"raised"`
	Updated  time.Time `json:"updated"`
	Cleared  time.Time `json:"cleared,omitzero"`
	Count    int       `json:"count"` // readings that met the raise condition while it was open
	Last     float64   `json:"last"`
	Peak     float64   `json:"peak"` // the highest reading while open
}

// AlarmChangeKind says what happened to an alarm.
type AlarmChangeKind string

const (
	AlarmRaised  AlarmChangeKind = "raised"
	AlarmUpdated AlarmChangeKind = "updated"
	AlarmCleared AlarmChangeKind = "cleared"
)

// AlarmChange is an output of Alarms: a copy of the alarm after the change.
type AlarmChange struct {
	Kind  AlarmChangeKind `json:"kind"`
	Alarm Alarm           `json:"alarm"`
}

// Alarms turns sensor readings into raised, updated and cleared alarms by
// the pack's alarm definitions. Its state is the last reading per device and
// type, the recent hits of each threshold and the open alarms; Snapshot and
// Restore carry it across a restart or a partition move, and replaying the
// same readings rebuilds it exactly. One Alarms serves the devices of one
// partition; it is safe for concurrent use.
type Alarms struct {
	mu     sync.Mutex
	loc    *time.Location         // the pack's time zone, for the hour of a reading
	defs   map[string]*AlarmDef   // by id
	byType map[string][]*AlarmDef // sensor type -> alarm types watching it
	st     alarmState
	vm     vm.VM // runs the expressions, its stack kept from one reading to the next
}

// alarmState is everything Alarms remembers; it is what Snapshot writes.
type alarmState struct {
	Readings map[string]*lastReading `json:"readings"` // device + "\x00" + sensor type
	Hits     map[string][]time.Time  `json:"hits"`     // device + "\x00" + alarm id: raise hits within the window
	Clears   map[string]int          `json:"clears"`   // consecutive clear readings of an open alarm
	Open     map[string]*Alarm       `json:"open"`     // device + "\x00" + alarm id
}

type lastReading struct {
	Expected bool      `json:"expected,omitempty"` // seeded by Expect: no reading yet
	Device   string    `json:"device"`
	Type     string    `json:"type"`
	Time     time.Time `json:"time"`
	Value    float64   `json:"value"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
}

// NewAlarms returns an empty tracker for defs (a pack's Alarms); loc is the
// pack's time zone (UTC when nil), in which expressions see the hour.
func NewAlarms(defs []*AlarmDef, loc *time.Location) *Alarms {
	if loc == nil {
		loc = time.UTC
	}
	a := &Alarms{loc: loc, defs: map[string]*AlarmDef{}, byType: map[string][]*AlarmDef{}}
	for _, d := range defs {
		a.defs[d.ID] = d
		for _, t := range d.Types {
			a.byType[t] = append(a.byType[t], d)
		}
	}
	a.st = newAlarmState()
	return a
}

func newAlarmState() alarmState {
	return alarmState{Readings: map[string]*lastReading{}, Hits: map[string][]time.Time{},
		Clears: map[string]int{}, Open: map[string]*Alarm{}}
}

func key(a, b string) string { return a + "\x00" + b }

// Observe takes one reading (an event with a device and a value) and returns
// the alarm changes it causes. A reading older than the device's last one of
// the same type is out of order and ignored. A reading also clears the
// device's offline alarms.
func (a *Alarms) Observe(ev *cityops.Event) []AlarmChange {
	if ev.DeviceID == "" || ev.Value == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rk := key(ev.DeviceID, ev.Type)
	prev := a.st.Readings[rk]
	if prev != nil && ev.Time.Before(prev.Time) {
		return nil
	}
	in := AlarmInput{Value: *ev.Value, Device: ev.DeviceID, Type: ev.Type, Hour: ev.Time.In(a.loc).Hour()}
	if prev != nil && !prev.Expected {
		if dt := ev.Time.Sub(prev.Time); dt > 0 {
			in.HasRate = true
			in.Rate = (in.Value - prev.Value) / dt.Hours()
			in.Gap = dt.Minutes()
		}
	}
	last := lastReading{Device: ev.DeviceID, Type: ev.Type, Time: ev.Time, Value: in.Value, Lat: ev.Lat, Lon: ev.Lon}
	if prev != nil {
		*prev = last // a device's readings, one after another, reuse one
	} else {
		a.st.Readings[rk] = &last
	}

	var out []AlarmChange
	for _, d := range a.byType[ev.Type] {
		ak := key(ev.DeviceID, d.ID)
		open := a.st.Open[ak]
		if d.Kind == "offline" {
			if open != nil {
				out = append(out, a.clearLocked(ak, open, ev.Time))
			}
			continue
		}
		if open != nil {
			open.Last, open.Updated = in.Value, ev.Time
			open.Peak = max(open.Peak, in.Value)
			switch {
			case a.holds(d.raise, &in):
				open.Count++
				a.st.Clears[ak] = 0
				out = append(out, AlarmChange{AlarmUpdated, *open})
			case a.holds(d.clear, &in):
				a.st.Clears[ak]++
				if a.st.Clears[ak] >= d.ClearCount {
					out = append(out, a.clearLocked(ak, open, ev.Time))
				}
			default:
				a.st.Clears[ak] = 0
			}
			continue
		}
		if !a.holds(d.raise, &in) {
			continue
		}
		hits := append(a.st.Hits[ak], ev.Time)
		if d.Within > 0 {
			from := ev.Time.Add(-d.Within)
			i := 0
			for i < len(hits) && !hits[i].After(from) {
				i++
			}
			hits = hits[i:]
		}
		if len(hits) < d.Count {
			a.st.Hits[ak] = hits
			continue
		}
		delete(a.st.Hits, ak)
		al := &Alarm{ID: alarmID(ev.DeviceID, d.ID, ev.Time), Device: ev.DeviceID, Type: d.ID, Category: d.Category,
			Severity: d.Severity, Lat: ev.Lat, Lon: ev.Lon, Raised: ev.Time, Updated: ev.Time,
			Count: len(hits), Last: in.Value, Peak: in.Value}
		a.st.Open[ak] = al
		out = append(out, AlarmChange{AlarmRaised, *al})
	}
	return out
}

// Expect registers devices (a pack's Devices) as expected to report from
// since on, so that one that never sends a reading is reported offline
// too. Devices already heard from are left as they are.
func (a *Alarms) Expect(devs []cityops.Device, since time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range devs {
		k := key(d.ID, d.Type)
		if a.st.Readings[k] == nil {
			a.st.Readings[k] = &lastReading{Expected: true, Device: d.ID, Type: d.Type, Time: since, Lat: d.Lat, Lon: d.Lon}
		}
	}
}

// Tick raises an offline alarm for every device whose last reading of a
// watched type is older than the alarm's After at now. Call it on a timer
// (event time, or the wall clock when readings stop altogether).
func (a *Alarms) Tick(now time.Time) []AlarmChange {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []AlarmChange
	for _, r := range a.st.Readings {
		for _, d := range a.byType[r.Type] {
			if d.Kind != "offline" {
				continue
			}
			ak := key(r.Device, d.ID)
			if a.st.Open[ak] != nil || now.Sub(r.Time) < d.After {
				continue
			}
			at := r.Time.Add(d.After)
			al := &Alarm{ID: alarmID(r.Device, d.ID, at), Device: r.Device, Type: d.ID, Category: d.Category,
				Severity: d.Severity, Lat: r.Lat, Lon: r.Lon, Raised: at, Updated: at, Count: 1, Last: r.Value, Peak: r.Value}
			a.st.Open[ak] = al
			out = append(out, AlarmChange{AlarmRaised, *al})
		}
	}
	slices.SortFunc(out, func(x, y AlarmChange) int { return cmpAlarm(&x.Alarm, &y.Alarm) })
	return out
}

func (a *Alarms) clearLocked(ak string, al *Alarm, at time.Time) AlarmChange {
	al.Cleared, al.Updated = at, at
	delete(a.st.Open, ak)
	delete(a.st.Clears, ak)
	return AlarmChange{AlarmCleared, *al}
}

// Open returns copies of the open alarms, ordered by device and type.
func (a *Alarms) Open() []Alarm {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Alarm, 0, len(a.st.Open))
	for _, al := range a.st.Open {
		out = append(out, *al)
	}
	slices.SortFunc(out, func(x, y Alarm) int { return cmpAlarm(&x, &y) })
	return out
}

func cmpAlarm(x, y *Alarm) int {
	if x.Device != y.Device {
		if x.Device < y.Device {
			return -1
		}
		return 1
	}
	if x.Type < y.Type {
		return -1
	}
	if x.Type > y.Type {
		return 1
	}
	return x.Raised.Compare(y.Raised)
}

func alarmID(device, typ string, at time.Time) string {
	return "ALM-" + device + "-" + typ + "-" + at.UTC().Format("20060102T150405Z")
}

// Candidate returns the merge candidate of a raised or updated alarm in
// cell (the H3 resolution-9 cell of the alarm's location), for Merger.Add.
// The alarm's own id is the incident id it starts.
func (c AlarmChange) Candidate(cell cityops.Cell) Candidate {
	return Candidate{ID: c.Alarm.ID, IncidentID: c.Alarm.ID, Category: c.Alarm.Category, Alarm: c.Alarm.Type,
		Cell: cell, Time: c.Alarm.Raised}
}

// Watches reports whether an alarm definition watches readings of sensor
// type typ; a processor sends those readings to Observe instead of judging
// each one alone.
func (a *Alarms) Watches(typ string) bool { return len(a.byType[typ]) > 0 }
