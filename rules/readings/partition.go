package readings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// tickEvery is the event time between two checks of offline alarms on the
// partition's own readings.
const tickEvery = time.Minute

// maxPlaces bounds the places a partition remembers.
const maxPlaces = 1 << 20

// state is what a partition's snapshot holds.
type state struct {
	Ticked time.Time       `json:"ticked"`
	Alarms json.RawMessage `json:"alarms"`
}

// place is where a device was last seen, with its cell and area, so that a
// fixed sensor costs one H3 lookup and one area lookup, not one per reading.
type place struct {
	lat, lon float64
	cell     cityops.Cell
	area     string
}

// partition is one partition of the readings topic, owned by this replica
// (a bus.PartitionHandler). Handle and the wall-clock ticker take mu.
type partition struct {
	s    *Stage
	id   int
	key  string
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}

	mu       sync.Mutex
	w        *world
	alarms   *rules.Alarms
	ticked   time.Time // the reading time offline alarms were last checked at
	applied  int64     // the last input offset applied
	saved    int64     // the offset of the last snapshot
	lastSave time.Time
	rows     Rows
	pending  map[string][]kafka.Message // signals and dead letters not yet published
	srcOff   int64                      // the offset the next signal is numbered under ...
	srcIdx   int                        // ... and its index there
	places   map[string]place
	evs      []cityops.Event // the batch's records, checked
	errs     []error
}

var _ bus.PartitionHandler = (*partition)(nil)

// open restores partition id: its latest snapshot, then every record after
// it up to the partition's end, handled again (stored and signalled again:
// both collapse), before the consumer hands over its first batch.
func (s *Stage) open(ctx context.Context, id int) (*partition, error) {
	w := s.current()
	p := &partition{s: s, id: id, rows: s.newRows(), key: stateful.SnapshotKey(StageName, s.cfg.Topic, id), w: w,
		alarms: rules.NewAlarms(w.pack.Alarms, w.pack.Location), applied: -1, saved: -1,
		pending: map[string][]kafka.Message{}, places: map[string]place{}, srcOff: -1}
	p.log = s.cfg.Logger.With("stage", StageName, "partition", id)
	snap, found, err := s.cfg.Snapshots.Load(ctx, p.key)
	if err != nil {
		return nil, err
	}
	if found {
		if err := p.restore(snap.State); err != nil {
			return nil, fmt.Errorf("restoring %s: %w", p.key, err)
		}
		p.applied, p.saved = snap.Offset, snap.Offset
	}
	first, end, err := stateful.PartitionEnd(ctx, s.cfg.Brokers, s.cfg.Topic, id)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p.key, err)
	}
	from := max(first, p.applied+1)
	var chunk []kafka.Message
	var herr error
	replayed := 0
	flush := func() {
		if len(chunk) > 0 && herr == nil {
			herr = p.Handle(ctx, chunk)
		}
		chunk = chunk[:0]
	}
	err = stateful.ReadRange(ctx, s.cfg.Brokers, s.cfg.Topic, id, from, end, func(m kafka.Message) {
		chunk = append(chunk, m)
		replayed++
		if len(chunk) == s.cfg.Batch {
			flush()
		}
	})
	flush()
	if err = errors.Join(err, herr); err != nil {
		return nil, fmt.Errorf("replaying %s from %d: %w", p.key, from, err)
	}
	p.log.Info("partition opened", "snapshot", found, "snapshot_offset", p.saved, "replayed", replayed, "applied", p.applied)
	tctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop, p.done = stop, make(chan struct{})
	go p.offlineClock(tctx)
	return p, nil
}

// Handle applies the records not yet applied, stores their readings,
// publishes their signals and dead letters, and returns once all of it is
// durable. A failure keeps what is not yet durable: the retried batch
// applies nothing twice and stores and publishes what is left.
func (p *partition) Handle(ctx context.Context, batch []kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.s.current(); w != p.w {
		if err := p.reload(w); err != nil {
			return err
		}
	}
	todo := batch
	for len(todo) > 0 && todo[0].Offset <= p.applied {
		todo = todo[1:]
	}
	p.check(todo)
	for i, m := range todo {
		p.apply(i, m)
		p.applied = m.Offset
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	if p.applied > p.saved && time.Since(p.lastSave) >= p.s.cfg.Snapshot {
		return p.save(ctx)
	}
	return nil
}

// check decodes and validates the records of a batch ahead of apply, on
// every core: it is most of the work, and pure, while the alarms and rows
// take the records one by one.
func (p *partition) check(batch []kafka.Message) {
	// The slices are the partition's, reused: every element is set below.
	p.evs = slices.Grow(p.evs[:0], len(batch))[:len(batch)]
	p.errs = slices.Grow(p.errs[:0], len(batch))[:len(batch)]
	parallel(len(batch), func(i int) { p.evs[i], p.errs[i] = p.w.chk.check(batch[i].Value) })
}

// apply applies the i-th record of the batch checked: a valid reading is
// added to the rows to store and observed by the alarms; an invalid one is
// dead-lettered.
func (p *partition) apply(i int, m kafka.Message) {
	ev, err := p.evs[i], p.errs[i]
	if err != nil {
		p.pending[p.s.cfg.DeadLetters] = append(p.pending[p.s.cfg.DeadLetters], bus.DeadLetterRecord(m, err))
		return
	}
	pl, err := p.placeOf(&ev)
	if err != nil {
		p.pending[p.s.cfg.DeadLetters] = append(p.pending[p.s.cfg.DeadLetters], bus.DeadLetterRecord(m, invalid(err)))
		return
	}
	p.rows.Add(&ev, pl.cell, pl.area)
	if !p.alarms.Watches(ev.Type) {
		return
	}
	if !ev.Time.Before(p.ticked.Add(tickEvery)) {
		p.ticked = ev.Time
		p.signal(m.Offset, p.alarms.Tick(ev.Time), nil)
	}
	p.signal(m.Offset, p.alarms.Observe(&ev), &ev)
}

// signal queues the transitions among changes (raised and cleared; an
// update of an open alarm is no transition) as signals for the merge
// stage, numbered after offset.
func (p *partition) signal(offset int64, changes []rules.AlarmChange, ev *cityops.Event) {
	for _, ch := range changes {
		if ch.Kind != rules.AlarmRaised && ch.Kind != rules.AlarmCleared {
			continue
		}
		cells, err := geo.CellsOf(ch.Alarm.Lat, ch.Alarm.Lon)
		if err != nil {
			p.log.Error("placing an alarm", "alarm", ch.Alarm.ID, "err", err)
			continue
		}
		if offset != p.srcOff {
			p.srcOff, p.srcIdx = offset, 0
		}
		var evc *cityops.Event
		if ev != nil {
			c := *ev
			evc = &c
		}
		v, err := stateful.AlarmSignal(ch, evc, cells.Cell, p.id, offset, p.srcIdx)
		if err != nil {
			p.log.Error("encoding an alarm signal", "alarm", ch.Alarm.ID, "err", err)
			continue
		}
		p.srcIdx++
		key := rules.Group(p.w.groups, "", ch.Alarm.Type)
		p.pending[p.s.cfg.Signals] = append(p.pending[p.s.cfg.Signals], kafka.Message{Key: []byte(key), Value: v})
	}
}

// placeOf returns the cell and area of a reading's place.
func (p *partition) placeOf(ev *cityops.Event) (place, error) {
	if pl, ok := p.places[ev.DeviceID]; ok && pl.lat == ev.Lat && pl.lon == ev.Lon {
		return pl, nil
	}
	cells, err := geo.CellsOf(ev.Lat, ev.Lon)
	if err != nil {
		return place{}, cityops.Invalid("lat/lon", "%v", err)
	}
	area, _ := p.w.pack.Tiebreaks.Place(p.w.areas, ev.Lat, ev.Lon, rules.Site{})
	pl := place{lat: ev.Lat, lon: ev.Lon, cell: cells.Cell, area: area}
	if len(p.places) >= maxPlaces {
		clear(p.places)
	}
	p.places[ev.DeviceID] = pl
	return pl, nil
}

// flush stores the rows, then publishes the signals and dead letters.
func (p *partition) flush(ctx context.Context) error {
	if p.rows.Len() > 0 {
		if err := p.s.cfg.Insert(ctx, p.rows); err != nil {
			return err
		}
		p.rows.Reset()
	}
	for topic, msgs := range p.pending {
		if len(msgs) == 0 {
			continue
		}
		if err := p.s.cfg.Publish(ctx, topic, msgs...); err != nil {
			return fmt.Errorf("publishing %d records to %s: %w", len(msgs), topic, err)
		}
		p.pending[topic] = msgs[:0]
	}
	return nil
}

func (p *partition) snapshot() ([]byte, error) {
	a, err := p.alarms.Snapshot()
	if err != nil {
		return nil, err
	}
	return json.Marshal(state{Ticked: p.ticked, Alarms: a})
}

func (p *partition) restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decoding readings state: %w", err)
	}
	p.ticked = st.Ticked
	return p.alarms.Restore(st.Alarms)
}

// save writes the state as of applied; everything up to it is durable.
func (p *partition) save(ctx context.Context) error {
	st, err := p.snapshot()
	if err != nil {
		return err
	}
	if err := p.s.cfg.Snapshots.Save(ctx, p.key, p.applied, st); err != nil {
		return err
	}
	p.saved, p.lastSave = p.applied, time.Now()
	return nil
}

// reload moves the alarms into those of a newly loaded pack, between two
// batches.
func (p *partition) reload(w *world) error {
	st, err := p.snapshot()
	if err != nil {
		return err
	}
	next := rules.NewAlarms(w.pack.Alarms, w.pack.Location)
	old := p.alarms
	p.alarms = next
	if err := p.restore(st); err != nil {
		p.alarms = old
		return fmt.Errorf("moving %s to the reloaded pack: %w", p.key, err)
	}
	p.w = w
	clear(p.places)
	p.log.Info("partition moved to the reloaded pack", "applied", p.applied)
	return nil
}

// offlineClock raises the offline alarms of silent devices on the wall
// clock, every Config.Offline, until ctx is done.
func (p *partition) offlineClock(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.s.cfg.Offline)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		p.signal(p.applied, p.alarms.Tick(p.s.cfg.Now()), nil)
		if err := p.flush(ctx); err != nil && ctx.Err() == nil {
			// Kept pending: the next batch or tick publishes them.
			p.log.Warn("publishing offline alarms", "err", err)
		}
		p.mu.Unlock()
	}
}

// Close stops the clock and saves a last snapshot when everything applied
// is durable.
func (p *partition) Close(ctx context.Context) error {
	p.stop()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rows.Len() > 0 || p.applied <= p.saved {
		return nil
	}
	for _, msgs := range p.pending {
		if len(msgs) > 0 {
			return nil
		}
	}
	return p.save(ctx)
}

// parallel runs fn(i) for every i in [0, n), on up to GOMAXPROCS
// goroutines when n is large enough to pay for them.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+255)/256)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// newRows makes a partition's batch of rows.
func (s *Stage) newRows() Rows {
	if s.cfg.NewRows != nil {
		return s.cfg.NewRows()
	}
	return &eventRows{}
}
