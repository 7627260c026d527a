package stateful

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// tickEvery is the event time between two checks of offline alarms.
const tickEvery = time.Minute

// classifier is the state of one partition of the raw events topic: the
// alarm windows of the devices keyed into it.
type classifier struct {
	w      *world
	alarms *rules.Alarms
	ticked time.Time // the reading time offline alarms were last checked at
	topics Topics
	src    source // of the next signal
	chk    *checker
	ids    *idLog
	met    *Metrics
	in     checked
}

// classifierState is what a classifier snapshot holds.
type classifierState struct {
	Ticked time.Time       `json:"ticked"`
	Alarms json.RawMessage `json:"alarms"`
	IDs    *idLogState     `json:"ids,omitempty"` // none in snapshots of earlier versions
}

// checked is a batch's raw records decoded and validated ahead of apply,
// with the content hash of each valid one.
type checked struct {
	vals []cityops.Event
	sums []contentKey
	errs []error
}

// prepare checks every record of batch, in parallel.
func (c *classifier) prepare(batch []kafka.Message) {
	d := &c.in
	d.vals = append(d.vals[:0], make([]cityops.Event, len(batch))...)
	d.sums = append(d.sums[:0], make([]contentKey, len(batch))...)
	d.errs = append(d.errs[:0], make([]error, len(batch))...)
	parallel(len(batch), func(i int) {
		ev, err := c.chk.check(batch[i].Value)
		if err != nil {
			d.errs[i] = fmt.Errorf("invalid event: %w", err)
			return
		}
		sum, err := contentSum(ev)
		if err != nil {
			d.errs[i] = err
			return
		}
		d.vals[i] = ev
		copy(d.sums[i][:], sum[:])
	})
}

func (c *classifier) apply(_ context.Context, i int, m kafka.Message, out *outputs) error {
	c.src = source{Partition: m.Partition, Offset: m.Offset}
	ev := c.in.vals[i]
	if err := c.in.errs[i]; err != nil {
		c.met.refuse(err)
		return deadLetter(out, c.topics, m, err)
	}
	switch c.ids.add(ev.ID, c.in.sums[i], ev.Time) {
	case idReplayed:
		c.met.replay()
		return nil // the same event sent again: handled already
	case idConflict:
		err := fmt.Errorf("invalid event: %w", cityops.Invalid("id", "%q already used with other content", ev.ID))
		c.met.refuse(err)
		return deadLetter(out, c.topics, m, err)
	}
	if ev.Source == cityops.SourceIoT && c.alarms.Watches(ev.Type) {
		// Offline alarms run on the partition's event time: checked before
		// a reading at least tickEvery after the last check, so a device's
		// silence is seen before its next reading ends it.
		if !ev.Time.Before(c.ticked.Add(tickEvery)) {
			c.ticked = ev.Time
			for _, ch := range c.alarms.Tick(ev.Time) {
				if err := c.emitAlarm(ch, nil, out); err != nil {
					return deadLetter(out, c.topics, m, err)
				}
			}
		}
		for _, ch := range c.alarms.Observe(&ev) {
			if err := c.emitAlarm(ch, &ev, out); err != nil {
				return deadLetter(out, c.topics, m, err)
			}
		}
	}
	// Every event is also judged alone: a hotline report by the rules, a
	// reading by the per-reading threshold rules. A classified one is a
	// signal for the merge stage, where repeats join the first one's
	// incident and alarms fuse with it.
	ch, ok, err := c.w.proc.Process(&ev)
	if err != nil {
		return deadLetter(out, c.topics, m, err)
	}
	if !ok {
		return nil
	}
	if ch.Incident.Category == "" {
		// Nothing can merge with it: straight to the changes topic.
		return addChange(out, c.topics, &ch)
	}
	s := signal{Kind: signalReport, Cell: ch.Incident.Cell, Change: &ch}
	return c.addSignal(out, rules.Group(c.w.groups, ch.Incident.Category, ""), &s)
}

func (c *classifier) emitAlarm(ch rules.AlarmChange, ev *cityops.Event, out *outputs) error {
	cells, err := geo.CellsOf(ch.Alarm.Lat, ch.Alarm.Lon)
	if err != nil {
		return fmt.Errorf("placing alarm %s: %w", ch.Alarm.ID, err)
	}
	s := signal{Kind: signalAlarm, Cell: cells.Cell, Alarm: &ch, Event: ev}
	return c.addSignal(out, rules.Group(c.w.groups, "", ch.Alarm.Type), &s)
}

func (c *classifier) tick(*outputs) {}

func (c *classifier) snapshot() ([]byte, error) {
	a, err := c.alarms.Snapshot()
	if err != nil {
		return nil, err
	}
	return json.Marshal(classifierState{Ticked: c.ticked, Alarms: a, IDs: c.ids.state()})
}

func (c *classifier) restore(b []byte) error {
	var st classifierState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decoding classifier state: %w", err)
	}
	c.ticked = st.Ticked
	if err := c.ids.restore(st.IDs); err != nil {
		return err
	}
	return c.alarms.Restore(st.Alarms)
}

func (c *classifier) addSignal(out *outputs, key string, s *signal) error {
	s.Src = c.src
	c.src.Index++
	v, err := bus.EncodeJSON(s)
	if err != nil {
		return fmt.Errorf("encoding signal: %w", err)
	}
	out.add(c.topics.Signals, kafka.Message{Key: []byte(key), Value: v})
	return nil
}

// addChange appends the record of new incident c to Changes and to Found.
func addChange(out *outputs, t Topics, c *cityops.Change) error {
	v, err := bus.EncodeJSON(c)
	if err != nil {
		return fmt.Errorf("encoding change of %s: %w", c.Incident.ID, err)
	}
	out.add(t.Changes, kafka.Message{Key: []byte(c.Incident.ID), Value: v})
	if t.Found != "" { // the dispatcher adopts it from there
		out.add(t.Found, kafka.Message{Key: []byte(c.Incident.ID), Value: v})
	}
	return nil
}
