package readings

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
)

// Stage names.
const (
	StageName = "readings" // the stage's part of its snapshot keys
)

// Rows are the readings of one insert, gathered as the path applies them:
// the store's column batch (store.Readings) in production.
type Rows interface {
	Add(ev *cityops.Event, cell cityops.Cell, area string)
	Len() int
	Reset()
	IDs() []string
}

// Insert stores rows and returns once they are durable
// (store.Store.InsertReadings).
type Insert func(ctx context.Context, rows Rows) error

// eventRows are Rows that keep the ids only, for a Config without NewRows.
type eventRows struct{ ids []string }

func (r *eventRows) Add(ev *cityops.Event, _ cityops.Cell, _ string) { r.ids = append(r.ids, ev.ID) }
func (r *eventRows) Len() int                                        { return len(r.ids) }
func (r *eventRows) Reset()                                          { r.ids = r.ids[:0] }
func (r *eventRows) IDs() []string                                   { return r.ids }

// Config wires a Stage.
type Config struct {
	Brokers     []string
	Group       string // consumer group (bus.GroupReadings)
	Topic       string // input (bus.TopicReadingsRaw)
	Signals     string // alarm changes for the merge stage (stateful.TopicSignals)
	DeadLetters string // refused records (bus.TopicDLQ)
	Snapshots   *stateful.Snapshots
	Pack        func() *rules.Pack // the current pack; a rules.Reloader's Pack for hot reload
	Insert      Insert
	// NewRows makes a partition's batch of rows (the ids only when nil).
	NewRows func() Rows
	Publish stateful.PublishTo
	// Batch is the most records of one consumer batch, and so of one
	// insert per partition (default 100,000); Wait the longest wait to fill
	// one once it has a record (default 500ms).
	Batch int
	Wait  time.Duration
	// Snapshot is the least time between two snapshots of a partition
	// (default 2s); Offline the period of the wall-clock check of offline
	// alarms (default 10s).
	Snapshot time.Duration
	Offline  time.Duration
	Session  time.Duration // consumer group session timeout (default 10s)
	Logger   *slog.Logger
	Metrics  *bus.Metrics // consumer metrics; nil for none
	// AnyPlace accepts readings outside the extent of the pack's areas.
	AnyPlace bool
	Now      func() time.Time // the wall clock (time.Now when nil)
}

// world is what a pack gives the stage.
type world struct {
	pack   *rules.Pack
	areas  *geo.Index
	groups map[string]string
	chk    *checker
}

// Stage is the readings path.
type Stage struct {
	cfg Config
	cur atomic.Pointer[world]
}

// New returns a stage for cfg; the pack must be valid.
func New(cfg Config) (*Stage, error) {
	if cfg.Batch <= 0 {
		cfg.Batch = 100000
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 500 * time.Millisecond
	}
	if cfg.Snapshot <= 0 {
		cfg.Snapshot = 2 * time.Second
	}
	if cfg.Offline <= 0 {
		cfg.Offline = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Topic == "" {
		cfg.Topic = bus.TopicReadingsRaw
	}
	if cfg.Signals == "" {
		cfg.Signals = stateful.TopicSignals
	}
	if cfg.DeadLetters == "" {
		cfg.DeadLetters = bus.TopicDLQ
	}
	s := &Stage{cfg: cfg}
	w, err := s.newWorld(cfg.Pack())
	if err != nil {
		return nil, err
	}
	s.cur.Store(w)
	return s, nil
}

func (s *Stage) newWorld(p *rules.Pack) (*world, error) {
	areas, err := geo.NewIndex(p.AreasGeoJSON, geo.Options{CRS: p.CRS})
	if err != nil {
		return nil, fmt.Errorf("indexing the areas of %s: %w", p.Name, err)
	}
	var bbox [4]float64
	if !s.cfg.AnyPlace {
		bbox = areas.BBox()
	}
	return &world{pack: p, areas: areas, groups: p.Merge.Groups(),
		chk: newChecker(bbox, ingest.NewRegistry(p.Devices), s.cfg.Now)}, nil
}

// current returns the world of the current pack, building it when the pack
// changed; a pack the stage cannot use keeps the old world.
func (s *Stage) current() *world {
	w := s.cur.Load()
	p := s.cfg.Pack()
	if p == w.pack {
		return w
	}
	nw, err := s.newWorld(p)
	if err != nil {
		s.cfg.Logger.Error("the reloaded pack cannot be used by the readings path, keeping the running one", "err", err)
		return w
	}
	if s.cur.CompareAndSwap(w, nw) {
		return nw
	}
	return s.cur.Load()
}

// Run consumes the readings topic until ctx is done.
func (s *Stage) Run(ctx context.Context) error {
	return bus.ConsumePartitions(ctx, bus.ConsumerConfig{
		Brokers: s.cfg.Brokers, Topic: s.cfg.Topic, Group: s.cfg.Group,
		BatchSize: s.cfg.Batch, BatchWait: s.cfg.Wait, SessionTimeout: s.cfg.Session, Logger: s.cfg.Logger, Metrics: s.cfg.Metrics,
	}, func(ctx context.Context, topic string, id int) (bus.PartitionHandler, error) {
		return s.open(ctx, id)
	})
}
