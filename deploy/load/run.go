package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/store"
)

// Config says where to send, how much and what to measure.
type Config struct {
	Traffic  *Traffic
	Target   string   // base URL of the intake API; used when Kafka is empty
	Key      string   // intake key for the intake API (Authorization: Bearer)
	Kafka    []string // produce straight to events.raw on these brokers instead
	Rate     float64  // events per second
	Duration time.Duration
	Events   int           // how many events; when zero, Rate x Duration
	Workers  int           // concurrent senders (default 16 for HTTP, 4 for Kafka)
	Batch    int           // events per produce call on Kafka (default 500)
	Store    *store.Store  // where to look for stored events; nil measures no storing
	WS       *WS           // the live map to watch; nil measures no websocket
	Poll     time.Duration // how often to look in ClickHouse (default 200ms)
	Drain    time.Duration // longest wait after the last send for stragglers (default 60s)
	Progress io.Writer     // a line a second; nil for none
}

func (c *Config) check() error {
	switch {
	case c.Traffic == nil:
		return errors.New("load: no traffic")
	case c.Rate <= 0:
		return cityops.Invalid("rate", "must be positive")
	case c.Events < 0:
		return cityops.Invalid("events", "must not be negative")
	case c.Events == 0 && c.Duration <= 0:
		return cityops.Invalid("duration", "give --duration or --events")
	case len(c.Kafka) == 0 && c.Target == "":
		return cityops.Invalid("target", "give --target or --kafka")
	}
	if c.Events == 0 {
		c.Events = int(c.Rate * c.Duration.Seconds())
	}
	if c.Workers <= 0 {
		c.Workers = 16
		if len(c.Kafka) > 0 {
			c.Workers = 4
		}
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.Poll <= 0 {
		c.Poll = 200 * time.Millisecond
	}
	if c.Drain <= 0 {
		c.Drain = 60 * time.Second
	}
	return nil
}

// job is a run of consecutive events released together.
type job struct {
	first int
	at    []time.Time
}

// Run drives the system and measures it. It returns the report even when it
// fails part way, with what it measured until then.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	tl := newTally(cfg.Events)
	var snd sender
	path := "http " + cfg.Target + "/api/v1/events"
	if len(cfg.Kafka) > 0 {
		w := bus.NewWriter(cfg.Kafka, bus.TopicEventsRaw)
		defer w.Close()
		rw := bus.NewWriter(cfg.Kafka, bus.TopicReadingsRaw)
		rw.BatchSize = cfg.Batch
		defer rw.Close()
		snd = &kafkaSender{t: cfg.Traffic, w: w, readings: rw}
		path = "kafka " + strings.Join(cfg.Kafka, ",") + " " + bus.TopicEventsRaw + " (hotline), " + bus.TopicReadingsRaw + " (readings)"
	} else {
		snd = newHTTPSender(cfg.Traffic, cfg.Target, cfg.Key, cfg.Workers)
	}

	obsCtx, stopObs := context.WithCancel(ctx)
	defer stopObs()
	var obs sync.WaitGroup
	errc := make(chan error, 1)
	start := time.Now()
	var p *poller
	if cfg.Store != nil {
		p = &poller{s: cfg.Store, prefix: cfg.Traffic.Prefix(), since: start.Add(-time.Minute), every: max(1, cfg.Events/10000), hotline: cfg.Traffic.Hotline}
		if p.hotEvery = 1; float64(cfg.Events)*cfg.Traffic.hotlineShare > 20000 {
			p.hotEvery = p.every | 1
		}
		obs.Go(func() { p.run(obsCtx, cfg.Poll, tl, errc) })
	}
	if cfg.WS != nil {
		ready := make(chan error, 1)
		obs.Go(func() { watchWS(obsCtx, *cfg.WS, cfg.Traffic.Prefix(), tl, ready) })
		if err := <-ready; err != nil {
			stopObs()
			obs.Wait()
			return nil, err
		}
	}
	start = time.Now()

	sendCtx, stopSend := context.WithCancel(ctx)
	defer stopSend()
	jobs := make(chan job, cfg.Workers*4)
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Go(func() {
			for j := range jobs {
				snd.send(sendCtx, j.first, j.at, tl)
				tl.sent.Add(int64(len(j.at)))
			}
		})
	}
	progressDone := make(chan struct{})
	go progress(cfg, tl, p, start, progressDone)

	chunk := 1
	if len(cfg.Kafka) > 0 {
		chunk = cfg.Batch
	}
	pace(sendCtx, cfg, chunk, start, tl, jobs)
	close(jobs)
	workers.Wait()
	sendEnd := time.Now()

	// Wait for what was accepted to arrive everywhere it should.
	drainEnd := time.Now().Add(cfg.Drain)
	hot, iot := tl.hotline.Load(), tl.iot.Load()
	if p != nil {
		p.targetIoT.Store(iot)
		p.target.Store(max(hot, 1))
		if hot == 0 {
			p.target.Store(-1) // no hotline event to wait for: the readings decide
		}
	}
	for time.Now().Before(drainEnd) && ctx.Err() == nil {
		doneStore := p == nil || (hot+iot == 0 || p.done.Load() != 0)
		quiet := time.Since(time.Unix(0, tl.wsLast.Load())) > 2*time.Second
		doneWS := cfg.WS == nil || countSeen(tl.onWS) >= int(hot) || tl.wsClosed.Load() != nil ||
			(tl.wsShrunk.Load() && doneStore && quiet)
		if doneStore && doneWS {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopObs()
	obs.Wait()
	close(progressDone)

	r := &Report{Path: path, Target: cfg.Rate, Events: cfg.Events, Start: start, SendSeconds: sendEnd.Sub(start).Seconds()}
	r.fill(tl, hot)
	if snd, ok := snd.(*httpSender); ok {
		r.Errors = snd.errs
	}
	if snd, ok := snd.(*kafkaSender); ok {
		r.Errors = snd.errs
	}
	var err error
	select {
	case err = <-errc:
	default:
	}
	if p != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		final, ferr := p.counts(cctx, true)
		raw, rerr := p.counts(cctx, false)
		err = errors.Join(err, ferr, rerr)
		stored := final
		stored.Rows = raw.Rows
		r.Stored = &stored
		r.StoredFinalRows = final.Rows
		r.Lost = max(0, hot-int64(final.Hotline))
		r.LostReadings = max(0, iot-int64(final.IoT))
		r.Duplicated = int64(final.Rows) - int64(final.Hotline+final.IoT)
		if d := p.done.Load(); d != 0 {
			r.EndToEndSeconds = time.Duration(d - start.UnixNano()).Seconds()
			r.EndToEndRate = float64(tl.hotline.Load()+tl.iot.Load()) / r.EndToEndSeconds
		}
		r.StoredLatency = summarize(tl.latenciesOf(tl.stored, cfg.Traffic.Hotline))
		r.ReadingsLatency = summarize(tl.latenciesOf(tl.stored, func(n int) bool { return !cfg.Traffic.Hotline(n) }))
		r.StoredResolution = cfg.Poll.String()
	}
	if cfg.WS != nil {
		r.WSLatency = summarize(tl.latencies(tl.onWS))
		r.WSMessages = tl.wsMessages.Load()
		r.WSRepeats = tl.wsRepeats.Load()
		if c, ok := tl.wsClosed.Load().(string); ok {
			r.WSClosed = c
		}
		if b, ok := tl.wsBBox.Load().([4]float64); ok {
			r.WSBBox = b
		}
	}
	return r, err
}

// pace releases events at cfg.Rate, chunk at a time, each with the time it
// was due, until all are released or ctx is done.
func pace(ctx context.Context, cfg Config, chunk int, start time.Time, tl *tally, jobs chan<- job) {
	interval := time.Second / time.Duration(max(1, int(cfg.Rate)))
	next := 0
	for next < cfg.Events {
		due := min(cfg.Events, int(time.Since(start).Seconds()*cfg.Rate)+1)
		for next < due {
			n := min(chunk, due-next)
			j := job{first: next, at: make([]time.Time, n)}
			for i := range n {
				at := start.Add(time.Duration(float64(next+i) / cfg.Rate * float64(time.Second)))
				j.at[i] = at
				tl.released[next+i].Store(at.UnixNano())
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
			next += n
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(interval, time.Millisecond)):
		}
	}
}

func countSeen(at []atomic.Int64) int {
	n := 0
	for i := range at {
		if at[i].Load() != 0 {
			n++
		}
	}
	return n
}

// progress writes a line a second until done is closed.
func progress(cfg Config, tl *tally, p *poller, start time.Time, done <-chan struct{}) {
	if cfg.Progress == nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var prev int64
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		sent := tl.sent.Load()
		line := fmt.Sprintf("%6.0fs  sent %9d (%7d/s)  accepted %9d  refused %d  failed %d",
			time.Since(start).Seconds(), sent, sent-prev, tl.hotline.Load()+tl.iot.Load(), tl.refused.Load(), tl.failed.Load())
		prev = sent
		if p != nil {
			c := p.current()
			line += fmt.Sprintf("  stored hotline %d iot %d", c.Hotline, c.IoT)
		}
		if cfg.WS != nil {
			line += fmt.Sprintf("  ws %d", countSeen(tl.onWS))
		}
		fmt.Fprintln(cfg.Progress, line)
	}
}
