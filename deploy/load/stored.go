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
	last     atomic.Pointer[Counts]
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
// events in events, readings in readings.
func (p *poller) probes(ctx context.Context, tl *tally) error {
	// Of the readings, every p.every-th is a probe; of hotline events, every
	// one when they are few, else every hotEvery-th.
	for table, every := range map[string]int{"events": p.hotEvery, "readings": p.every} {
		q := fmt.Sprintf(`SELECT DISTINCT id FROM %s.%s
WHERE time >= toDateTime(?) AND id LIKE ? AND toUInt64OrZero(substring(id, position(id, ?) + %d)) %% %d = 0`,
			p.s.Database(), table, len(p.prefix), every)
		rows, err := p.s.Query(ctx, q, p.since.Unix(), "%"+likeEscape(p.prefix)+"%", p.prefix)
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

// run polls every interval until ctx is done.
func (p *poller) run(ctx context.Context, interval time.Duration, tl *tally, errc chan<- error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		c, err := p.counts(ctx, false)
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
		} else {
			p.last.Store(&c)
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
