package stateful

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// merger is the state of one partition of the signals topic: the incidents
// of its merge groups that can still take signals, and what it last said
// about each (so that merges carry counters that only grow).
type merger struct {
	w      *world
	m      *rules.Merger
	st     mergerState
	topics Topics
	in     decoded[signal]
}

// mergerState is the merge stage's own bookkeeping beside rules.Merger.
type mergerState struct {
	Merger json.RawMessage           `json:"merger,omitempty"`
	Incs   map[string]*cityops.Merge `json:"incs"`   // incident id -> its latest merge counters
	Alarms map[string]string         `json:"alarms"` // open alarm id -> the incident it belongs to
	Seen   map[int]source            `json:"seen"`   // raw events partition -> its last signal applied
}

func newMergerState() mergerState {
	return mergerState{Incs: map[string]*cityops.Merge{}, Alarms: map[string]string{}, Seen: map[int]source{}}
}

func (g *merger) prepare(batch []kafka.Message) { g.in.decodeBatch(batch) }

func (g *merger) apply(_ context.Context, i int, m kafka.Message, out *outputs) error {
	s := g.in.vals[i]
	if err := g.in.errs[i]; err != nil {
		return deadLetter(out, g.topics, m, fmt.Errorf("decoding signal: %w", err))
	}
	if s.Kind == signalDone {
		g.done(&s)
		return nil
	}
	if last, ok := g.st.Seen[s.Src.Partition]; ok && !s.Src.after(last) {
		return nil // a replayed or doubled signal
	}
	g.st.Seen[s.Src.Partition] = s.Src
	switch {
	case s.Kind == signalReport && s.Change != nil:
		return g.report(&s, out)
	case s.Kind == signalAlarm && s.Alarm != nil:
		return g.alarm(&s, out)
	default:
		return deadLetter(out, g.topics, m, cityops.Invalid("kind", "unknown signal %q", s.Kind))
	}
}

func (g *merger) report(s *signal, out *outputs) error {
	ch := s.Change
	ev := ch.Event
	inc := &ch.Incident
	id, merged, repeat := g.m.Place(rules.Candidate{ID: inc.EventID, IncidentID: inc.ID, Category: inc.Category, Cell: s.Cell, Time: inc.Reported})
	mg := g.counters(id, inc.EventID)
	mg.Repeat = repeat
	if !merged {
		mg.Apply(inc)
		out.emitChange(g.topics, ch)
		return nil
	}
	inc.ID = id
	out.emitChange(g.topics, &cityops.Change{Kind: cityops.ChangeMerged, Incident: *inc, Event: ev, Merge: mg})
	return nil
}

func (g *merger) alarm(s *signal, out *outputs) error {
	al := &s.Alarm.Alarm
	target := g.st.Alarms[al.ID]
	merged := target != ""
	if s.Alarm.Kind == rules.AlarmRaised && !merged {
		target, merged = g.m.Add(s.Alarm.Candidate(s.Cell))
	}
	if target == "" {
		target = al.ID // an update of an alarm raised before this state began
	}
	inc, err := g.w.proc.AlarmIncident(al)
	if err != nil {
		return err
	}
	mg := g.counters(target, al.ID)
	mg.Alarm, mg.Count, mg.Value, mg.Peak = al.Type, al.Count, al.Last, al.Peak
	kind := cityops.ChangeMerged
	switch s.Alarm.Kind {
	case rules.AlarmRaised:
		g.st.Alarms[al.ID] = target
		if !merged {
			mg.Apply(&inc)
			out.emitChange(g.topics, &cityops.Change{Kind: cityops.ChangeCreated, Incident: inc, Event: s.Event, Merge: mg})
			return nil
		}
	case rules.AlarmCleared:
		delete(g.st.Alarms, al.ID)
		kind = cityops.ChangeCleared
	}
	inc.ID = target
	out.emitChange(g.topics, &cityops.Change{Kind: kind, Incident: inc, Event: s.Event, Merge: mg})
	return nil
}

// counters returns the merge counters of incident id after signal, with a
// sequence number one past the last one said of it.
func (g *merger) counters(id, sig string) *cityops.Merge {
	prev := g.st.Incs[id]
	mg := &cityops.Merge{Signal: sig}
	if prev != nil {
		*mg = *prev
		mg.Signal, mg.Seq = sig, prev.Seq+1
		mg.Alarm, mg.Count, mg.Value, mg.Peak = "", 0, 0, 0
	}
	if cur, ok := g.m.Incident(id); ok {
		mg.Reports, mg.ReportIDs, mg.Signals, mg.First, mg.Last = cur.Reports, cur.ReportIDs, cur.Alarms, cur.First, cur.Last
	}
	keep := *mg
	g.st.Incs[id] = &keep
	return mg
}

func (g *merger) tick(*outputs) {}

// snapshot also forgets the counters of incidents that can take no more
// signals: neither held by the Merger nor owning an open alarm.
func (g *merger) snapshot() ([]byte, error) {
	live := map[string]bool{}
	for _, id := range g.st.Alarms {
		live[id] = true
	}
	for id := range g.st.Incs {
		if _, held := g.m.Incident(id); !held && !live[id] {
			delete(g.st.Incs, id)
		}
	}
	b, err := g.m.Snapshot()
	if err != nil {
		return nil, err
	}
	rest, err := json.Marshal(&g.st) // without the Merger's state: omitempty
	if err != nil {
		return nil, fmt.Errorf("encoding merge stage state: %w", err)
	}
	return spliceField("merger", b, rest), nil
}

func (g *merger) restore(b []byte) error {
	st := newMergerState()
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decoding merge stage state: %w", err)
	}
	if len(st.Merger) > 0 {
		if err := g.m.Restore(st.Merger); err != nil {
			return err
		}
	}
	st.Merger = nil
	if st.Seen == nil {
		st.Seen = map[int]source{}
	}
	g.st = st
	return nil
}
