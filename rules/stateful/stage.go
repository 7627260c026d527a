package stateful

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
	"golang.org/x/sync/errgroup"
)

// Topics names the stage's topics.
type Topics struct {
	Events    string // input: the raw events, readings keyed by device
	Signals   string // between the two stages, keyed by merge group
	Changes   string // output: new incidents, their whole state (the dispatcher adds the steps of their tasks)
	Snapshots string // compacted: each partition's state
	// DeadLetters gets the input records that can never be processed, with
	// the reason (bus.DeadLetterRecord); bus.TopicDLQ when empty.
	DeadLetters string
	// Found gets everything the stage finds, keyed by incident id: new
	// incidents (also on Changes) and, on it alone, the signals merged into
	// existing ones (ChangeMerged, ChangeCleared), which are not an
	// incident's state. The dispatcher reads it, in the order the stage
	// found things. Empty: the signals go to Changes, as they did before
	// Found existed.
	Found string
}

// DefaultTopics are the pipeline's topics.
var DefaultTopics = Topics{
	Events: bus.TopicEventsRaw, Signals: TopicSignals, Changes: bus.TopicIncidentChanges, Found: bus.TopicIncidentsFound,
	Snapshots: TopicSnapshots, DeadLetters: bus.TopicDLQ,
}

// The topics the stage adds to the pipeline's.
const (
	TopicSignals   = bus.TopicSignals
	TopicSnapshots = bus.TopicSnapshots
)

// Config wires a Stage.
type Config struct {
	Brokers  []string
	Group    string // consumer group prefix; the two stages use Group+".classify" and Group+".merge"
	Topics   Topics
	Pack     func() *rules.Pack // the current pack; a rules.Reloader's Pack for hot reload
	Publish  PublishTo
	Snapshot time.Duration // the time between two snapshots of a busy partition (default 2s), or 20 times what the last took if longer
	Batch    int           // records per batch (default 1000)
	Session  time.Duration // consumer group session timeout (default 10s)
	Logger   *slog.Logger
	Metrics  *bus.Metrics // consumer metrics of both stages; nil for none
	Events   *Metrics     // what the classify stage makes of its input; nil for none
	// IDWindow and IDMax bound the ids each classify partition remembers
	// to tell a resent event from an id used twice: those of the last
	// IDWindow of event time, at most IDMax (DefaultIDWindow, DefaultIDMax
	// when zero).
	IDWindow time.Duration
	IDMax    int
	// AnyPlace accepts events outside the extent of the pack's areas,
	// which intake refuses and the stage refuses by default: for tests that
	// run another city's records through the demo city.
	AnyPlace bool
	// Now is the clock events' times are judged by (time.Now when nil).
	Now func() time.Time
}

// world is what a pack gives the stage: rules, areas, departments and merge
// groups. Partitions move to a new world between batches.
type world struct {
	pack   *rules.Pack
	proc   *process.Processor
	groups map[string]string
}

func newWorld(p *rules.Pack) (*world, error) {
	proc, err := process.New(p)
	if err != nil {
		return nil, err
	}
	return &world{pack: p, proc: proc, groups: p.Merge.Groups()}, nil
}

// Stage runs the processor's two stateful stages.
type Stage struct {
	cfg   Config
	snaps *Snapshots
	cur   atomic.Pointer[world]
}

// New returns a stage for cfg; the pack must be valid.
func New(cfg Config) (*Stage, error) {
	if cfg.Snapshot <= 0 {
		cfg.Snapshot = 2 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Topics == (Topics{}) {
		cfg.Topics = DefaultTopics
	}
	if cfg.Topics.DeadLetters == "" {
		cfg.Topics.DeadLetters = bus.TopicDLQ
	}
	s := &Stage{cfg: cfg, snaps: NewSnapshots(cfg.Brokers, cfg.Topics.Snapshots)}
	w, err := newWorld(cfg.Pack())
	if err != nil {
		return nil, err
	}
	s.cur.Store(w)
	return s, nil
}

// Close closes the snapshot writer.
func (s *Stage) Close() error { return s.snaps.Close() }

// current returns the world of the current pack, building it when the pack
// changed. A pack the processor cannot use keeps the old world.
func (s *Stage) current() *world {
	w := s.cur.Load()
	p := s.cfg.Pack()
	if p == w.pack {
		return w
	}
	nw, err := newWorld(p)
	if err != nil {
		s.cfg.Logger.Error("the reloaded pack cannot be used, keeping the running one", "err", err)
		return w
	}
	if s.cur.CompareAndSwap(w, nw) {
		s.cfg.Logger.Info("pack reloaded", "pack", p.Name, "rules", p.Engine.Rules())
		return nw
	}
	return s.cur.Load()
}

// EnsureTopics creates the stage's topics: the signals topic with
// partitions, the snapshots topic compacted.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, t Topics) error {
	if t.DeadLetters == "" {
		t.DeadLetters = bus.TopicDLQ
	}
	topics := []string{t.Events, t.Signals, t.Changes, t.DeadLetters}
	if t.Found != "" {
		topics = append(topics, t.Found)
	}
	if err := bus.EnsureTopics(ctx, brokers, partitions, topics...); err != nil {
		return err
	}
	return bus.EnsureCompacted(ctx, brokers, partitions, t.Snapshots)
}

// Run consumes both stages until ctx is done.
func (s *Stage) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	consume := func(stage, topic string, mk func(w *world) machine) error {
		return bus.ConsumePartitions(ctx, bus.ConsumerConfig{
			Brokers: s.cfg.Brokers, Topic: topic, Group: bus.StageGroup(s.cfg.Group, stage),
			BatchSize: s.cfg.Batch, BatchWait: time.Millisecond, SessionTimeout: s.cfg.Session, Logger: s.cfg.Logger, Metrics: s.cfg.Metrics,
		}, func(ctx context.Context, topic string, id int) (bus.PartitionHandler, error) {
			return s.open(ctx, stage, topic, id, mk)
		})
	}
	g.Go(func() error { return consume("classify", s.cfg.Topics.Events, s.newClassifier) })
	g.Go(func() error { return consume("merge", s.cfg.Topics.Signals, s.newMerger) })
	return g.Wait()
}

func (s *Stage) newClassifier(w *world) machine {
	var bbox [4]float64
	if !s.cfg.AnyPlace {
		bbox = w.proc.Areas().BBox()
	}
	return &classifier{
		w: w, alarms: rules.NewAlarms(w.pack.Alarms, w.pack.Location), topics: s.cfg.Topics,
		chk: newChecker(bbox, s.cfg.Now), ids: newIDLog(s.cfg.IDWindow, s.cfg.IDMax), met: s.cfg.Events,
	}
}

func (s *Stage) newMerger(w *world) machine {
	return &merger{w: w, m: rules.NewMerger(w.pack.Merge, rules.MergerOptions{}), st: newMergerState(), topics: s.cfg.Topics}
}

// open builds and restores the machine of one partition.
func (s *Stage) open(ctx context.Context, stage, topic string, id int, mk func(w *world) machine) (bus.PartitionHandler, error) {
	w := s.current()
	p := &partition{
		key: snapshotKey(stage, topic, id), topic: topic, id: id, m: mk(w), snaps: s.snaps,
		publish: s.cfg.Publish, every: s.cfg.Snapshot, log: s.cfg.Logger.With("stage", stage, "partition", id),
	}
	p.swapCheck = func() bool {
		if cw := s.current(); cw != w {
			w = cw
			return true
		}
		return false
	}
	p.swap = func() machine { return mk(w) }
	h, err := openPartition(ctx, p, s.cfg.Brokers)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p.key, err)
	}
	return h, nil
}
