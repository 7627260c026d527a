package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops/store"
)

// Counts is what ClickHouse holds of a run.
type Counts struct {
	Hotline uint64 `json:"hotline"` // distinct hotline events
	IoT     uint64 `json:"iot"`     // distinct sensor readings, in readings
	Rows    uint64 `json:"rows"`    // rows of both, before ReplacingMergeTree merges repeats (or after, with FINAL)
}

// poller looks for a run's events in ClickHouse.
type poller struct {
	s      *store.Store
	prefix string
	since  time.Time // the run's events have times from here on
	every  int       // readings n with n%every == 0 are probes, looked up one by one
	// hotEvery is every's for hotline events: 1 when they are few, else
	// odd, since at a mix of 0.5 every hotline n is odd.
	hotEvery int
	hotline  func(n int) bool // whether event n is a hotline request
	last     atomic.Pointer[Counts]
	counted  time.Time // when counts last ran
	// probed is, per table, the first probe not yet known to be found:
	// the probes before it need no more looking at.
	probed map[bool]int
	// done is when the hotline count first reached target and the
	// readings count targetIoT.
	target    atomic.Int64
	targetIoT atomic.Int64
	done      atomic.Int64
}

// counts returns how many of the run's events are stored.
func (p *poller) counts(ctx context.Context, final bool) (Counts, error) {
	return CountStored(ctx, p.s, p.prefix, p.since, final)
}

// CountStored counts the events and readings stored in s whose ids hold
// prefix (at the start, or after the scope "<key name>:" intake puts before
// a client's id) and whose times are since or later: hotline events in
// events, sensor readings in readings (every one is stored there); with
// final, after ReplacingMergeTree has collapsed repeated rows (FINAL).
func CountStored(ctx context.Context, s *store.Store, prefix string, since time.Time, final bool) (Counts, error) {
	var c Counts
	fin := ""
	if final {
		fin = " FINAL"
	}
	for _, q := range []struct {
		sql string
		n   *uint64
	}{
		{fmt.Sprintf(`SELECT count(), uniqExact(id) FROM %s.events%s
WHERE time >= toDateTime(?) AND id LIKE ? AND source = 'hotline'`, s.Database(), fin), &c.Hotline},
		{fmt.Sprintf(`SELECT count(), uniqExact(id) FROM %s.readings%s
WHERE time >= toDateTime(?) AND id LIKE ?`, s.Database(), fin), &c.IoT},
	} {
		rows, err := s.Query(ctx, q.sql, since.Unix(), "%"+likeEscape(prefix)+"%")
		if err != nil {
			return c, fmt.Errorf("counting stored events: %w", err)
		}
		for rows.Next() {
			var n, uniq uint64
			if err := rows.Scan(&n, &uniq); err != nil {
				rows.Close()
				return c, fmt.Errorf("counting stored events: %w", err)
			}
			c.Rows += n
			*q.n = uniq
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return c, fmt.Errorf("counting stored events: %w", err)
		}
	}
	return c, nil
}

// probes records when each probe event was first found stored: hotline
// events in events, readings in readings. Each poll looks only at the rows
// from the oldest probe released and not yet found on: the run's whole
// table, scanned five times a second, cost ClickHouse more than the run
// itself.
func (p *poller) probes(ctx context.Context, tl *tally) error {
	// Of the readings, every p.every-th is a probe; of hotline events, every
	// one when they are few, else every hotEvery-th.
	for _, pr := range []struct {
		table   string
		every   int
		hotline bool
	}{{"events", p.hotEvery, true}, {"readings", p.every, false}} {
		from, ok := p.oldestOutstanding(tl, pr.every, pr.hotline)
		if !ok {
			continue
		}
		q := fmt.Sprintf(`SELECT DISTINCT id FROM %s.%s
WHERE time >= toDateTime(?) AND id LIKE ? AND toUInt64OrZero(substring(id, position(id, ?) + %d)) %% %d = 0`,
			p.s.Database(), pr.table, len(p.prefix), pr.every)
		// Times are stored to the second: from a second early.
		rows, err := p.s.Query(ctx, q, from.Unix()-1, "%"+likeEscape(p.prefix)+"%", p.prefix)
		if err != nil {
			return fmt.Errorf("looking up stored probes: %w", err)
		}
		now := time.Now()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("looking up stored probes: %w", err)
			}
			i := strings.Index(id, p.prefix)
			if i < 0 {
				continue
			}
			if n, err := strconv.Atoi(id[i+len(p.prefix):]); err == nil {
				tl.seenStored(n, now)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("looking up stored probes: %w", err)
		}
	}
	return nil
}

// oldestOutstanding returns when the oldest probe (n%every == 0, hotline or
// not) that was accepted and not yet found stored was released; false when
// every one released so far is found. Events are released in order, so it
// is the first such probe; the search starts after the probes found
// before, so a poll does not walk the whole run.
func (p *poller) oldestOutstanding(tl *tally, every int, hotline bool) (time.Time, bool) {
	if p.probed == nil {
		p.probed = map[bool]int{}
	}
	leading := true // every probe so far is of the other kind or found
	for n := p.probed[hotline]; n < len(tl.stored); n += every {
		switch {
		case p.hotline(n) != hotline, tl.stored[n].Load() != 0:
			if leading {
				p.probed[hotline] = n + every
			}
			continue
		}
		leading = false
		r := tl.released[n].Load()
		if r == 0 {
			return time.Time{}, false // not released yet, nor any after it
		}
		if tl.accepted[n].Load() {
			return time.Unix(0, r), true
		}
	}
	return time.Time{}, false
}

// run polls every interval until ctx is done.
func (p *poller) run(ctx context.Context, interval time.Duration, tl *tally, errc chan<- error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		// Counting scans the run's rows: once a second is enough for
		// the progress line and the end of the run, whatever the probes'
		// interval.
		var c *Counts
		var err error
		if time.Since(p.counted) >= time.Second || p.last.Load() == nil || p.target.Load() != 0 {
			var n Counts
			n, err = p.counts(ctx, false)
			c, p.counted = &n, time.Now()
		}
		if err == nil {
			err = p.probes(ctx, tl)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			select {
			case errc <- err:
			default:
			}
		} else if c != nil {
			p.last.Store(c)
			if t := p.target.Load(); t != 0 && int64(c.Hotline) >= t && int64(c.IoT) >= p.targetIoT.Load() {
				p.done.CompareAndSwap(0, time.Now().UnixNano())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *poller) current() Counts {
	if c := p.last.Load(); c != nil {
		return *c
	}
	return Counts{}
}

// likeEscape escapes the wildcards of LIKE in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
