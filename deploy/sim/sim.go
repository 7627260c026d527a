package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"golang.org/x/time/rate"
)

// Config says what to send, where and how fast.
type Config struct {
	Target   string        // base URL of a running cityops, e.g. http://127.0.0.1:8080
	Key      string        // intake key, sent as Authorization: Bearer
	Rate     float64       // events per second
	Duration time.Duration // how long; 0 runs until ctx is done
	Seed     uint64        // for a repeatable stream; 0 picks one
	Workers  int           // concurrent requests (default 8)
	Client   *http.Client
	Logger   *slog.Logger
}

// Stats counts what a run sent.
type Stats struct {
	Sent     int64 // requests answered or failed; those cut off by the end of the run are not counted
	Accepted int64
	Rejected int64 // 4xx: the intake refused the event (a bug in the simulator)
	Failed   int64 // transport errors and 5xx
}

// Sim generates events for one city.
type Sim struct {
	pack     *rules.Pack
	areas    *geo.Index
	hotspots [][2]float64
	rng      *rand.Rand
	mu       sync.Mutex // guards rng
	seq      atomic.Int64
	storm    atomic.Int64 // unix second until which it rains
}

// New returns a simulator for the city in pack.
func New(pack *rules.Pack, seed uint64) (*Sim, error) {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	s := &Sim{pack: pack, areas: areas, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for range 6 {
		s.hotspots = append(s.hotspots, s.pointInCity())
	}
	return s, nil
}

// Run sends events to cfg.Target at cfg.Rate until cfg.Duration has passed
// or ctx is done.
func Run(ctx context.Context, s *Sim, cfg Config) (Stats, error) {
	if cfg.Rate <= 0 {
		return Stats{}, cityops.Invalid("rate", "must be positive")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	lim := rate.NewLimiter(rate.Limit(cfg.Rate), max(1, int(cfg.Rate/10)))
	var st Stats
	jobs := make(chan post, cfg.Workers)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() {
			for p := range jobs {
				s.post(ctx, cfg, p, &st)
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	for {
		if err := lim.Wait(ctx); err != nil {
			return st, nil // the run is over
		}
		p, err := postOf(cfg.Target, s.Next(time.Now()))
		if err != nil {
			return st, err
		}
		select {
		case jobs <- p:
		case <-ctx.Done():
			return st, nil
		}
	}
}

// post is one request of the simulator.
type post struct {
	url, contentType string
	body             []byte
}

// postOf is where an event goes: a complaint to the events API, a sensor
// reading to the readings API as one NDJSON line, the way gateways send
// readings, so that the readings path stores every one.
func postOf(target string, ev Event) (post, error) {
	if ev.Source == string(cityops.SourceIoT) && ev.Value != nil && ev.DeviceID != "" {
		b, err := json.Marshal(struct {
			DeviceID string  `json:"device_id"`
			Value    float64 `json:"value"`
			Time     string  `json:"time"`
		}{ev.DeviceID, *ev.Value, ev.Time})
		if err != nil {
			return post{}, fmt.Errorf("encoding a simulated reading: %w", err)
		}
		return post{url: target + "/api/v1/readings", contentType: "application/x-ndjson", body: append(b, '\n')}, nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return post{}, fmt.Errorf("encoding a simulated event: %w", err)
	}
	return post{url: target + "/api/v1/events", contentType: "application/json", body: b}, nil
}

func (s *Sim) post(ctx context.Context, cfg Config, p post, st *Stats) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		atomic.AddInt64(&st.Sent, 1)
		atomic.AddInt64(&st.Failed, 1)
		return
	}
	req.Header.Set("Content-Type", p.contentType)
	if cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Key)
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() == nil { // a request cut off by the end of the run is not counted
			atomic.AddInt64(&st.Sent, 1)
			atomic.AddInt64(&st.Failed, 1)
			cfg.Logger.Warn("sending a simulated event", "err", err)
		}
		return
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	atomic.AddInt64(&st.Sent, 1)
	switch {
	case resp.StatusCode < 300:
		atomic.AddInt64(&st.Accepted, 1)
	case resp.StatusCode < 500:
		atomic.AddInt64(&st.Rejected, 1)
		cfg.Logger.Warn("simulated event refused", "status", resp.StatusCode, "body", string(msg))
	default:
		atomic.AddInt64(&st.Failed, 1)
	}
}

// Event is the JSON body the simulator posts.
type Event struct {
	ID       string   `json:"id,omitempty"`
	Source   string   `json:"source"`
	Type     string   `json:"type"`
	Text     string   `json:"text,omitempty"`
	Lat      float64  `json:"lat"`
	Lon      float64  `json:"lon"`
	Time     string   `json:"time"`
	Value    *float64 `json:"value,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	DeviceID string   `json:"device_id,omitempty"`
}

// Next returns the next simulated event at time now: four in ten are hotline
// complaints, the rest sensor readings.
func (s *Sim) Next(now time.Time) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.seq.Add(1)
	if s.rng.Float64() < 0.4 || len(s.pack.Devices) == 0 {
		return s.complaint(now, n)
	}
	return s.reading(now, n)
}

func (s *Sim) complaint(now time.Time, n int64) Event {
	texts := complaints[s.rng.IntN(len(complaints))]
	p := s.pointInCity()
	if s.rng.Float64() < 0.6 {
		p = s.near(s.hotspots[s.rng.IntN(len(s.hotspots))], 0.004)
	}
	return Event{
		ID:     fmt.Sprintf("sim-h-%d-%d", now.Unix(), n),
		Source: string(cityops.SourceHotline), Type: "complaint",
		Text: texts[s.rng.IntN(len(texts))],
		Lat:  round6(p[0]), Lon: round6(p[1]),
		Time: now.Format(time.RFC3339Nano),
	}
}

// reading returns a reading of a random device. Now and then a storm starts
// and water levels rise across the city for a minute.
func (s *Sim) reading(now time.Time, n int64) Event {
	d := s.pack.Devices[s.rng.IntN(len(s.pack.Devices))]
	if s.rng.Float64() < 0.002 {
		s.storm.Store(now.Add(time.Minute).Unix())
	}
	raining := now.Unix() < s.storm.Load()
	var v float64
	switch d.Type {
	case "water_level":
		v = math.Abs(s.rng.NormFloat64() * 0.03)
		if raining && s.rng.Float64() < 0.5 {
			v = 0.1 + s.rng.Float64()*0.5
		}
	case "noise":
		v = 52 + s.rng.NormFloat64()*6
		if s.rng.Float64() < 0.03 {
			v = 72 + s.rng.Float64()*15
		}
	case "manhole_tilt":
		v = math.Abs(s.rng.NormFloat64() * 1.5)
		if s.rng.Float64() < 0.01 {
			v = 20 + s.rng.Float64()*60
		}
	default:
		v = s.rng.Float64()
	}
	v = math.Round(v*100) / 100
	return Event{
		ID:     fmt.Sprintf("sim-r-%s-%d-%d", d.ID, now.Unix(), n),
		Source: string(cityops.SourceIoT), Type: d.Type,
		Lat: d.Lat, Lon: d.Lon, Value: &v, Unit: d.Unit, DeviceID: d.ID,
		Time: now.Format(time.RFC3339Nano),
	}
}

// pointInCity returns a uniform random point inside one of the city's areas.
func (s *Sim) pointInCity() [2]float64 {
	b := s.areas.BBox()
	for range 1000 {
		lat := b[1] + s.rng.Float64()*(b[3]-b[1])
		lon := b[0] + s.rng.Float64()*(b[2]-b[0])
		if _, ok := s.areas.Locate(lat, lon); ok {
			return [2]float64{lat, lon}
		}
	}
	c := s.areas.Center()
	return [2]float64{c[0], c[1]}
}

// near returns a point around p, spread by sd degrees, kept inside the city.
func (s *Sim) near(p [2]float64, sd float64) [2]float64 {
	for range 20 {
		q := [2]float64{p[0] + s.rng.NormFloat64()*sd, p[1] + s.rng.NormFloat64()*sd}
		if _, ok := s.areas.Locate(q[0], q[1]); ok {
			return q
		}
	}
	return p
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
