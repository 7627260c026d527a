package role

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/dispatch/webhook"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
)

const (
	groupDispatch   = bus.GroupDispatch
	topicAudit      = bus.TopicTaskAudit
	topicWebhookDLQ = bus.TopicWebhookDLQ
)

// Dispatch runs the dispatch role until ctx is done: the dispatcher, a
// replica in the dispatchers' consumer group of incidents.found, and its
// tasks API with the probes and metrics on cfg.HTTP.
func Dispatch(ctx context.Context, cfg Config, files DispatchFiles, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	d, err := newDispatcher(ctx, o, pack, files, reg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	mux := http.NewServeMux()
	for p, h := range d.Routes() {
		mux.Handle(p, h)
	}
	admin := web.NewAdmin(reg, kafkaReady(o), log)
	for _, p := range []string{"GET /healthz", "GET /readyz", "GET /metrics"} {
		mux.Handle(p, admin)
	}
	h, err := web.InstrumentHTTP(reg, mux)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: o.HTTP.Listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.Run(gctx) })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	g.Go(func() error {
		log.Info("tasks API serving", "addr", o.HTTP.Listen)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving the tasks API: %w", err)
		}
		return nil
	})
	return g.Wait()
}

// DispatchFiles are the dispatch role's own files and settings, besides
// the Config every role has.
type DispatchFiles struct {
	Webhooks string // optional webhooks of departments, a JSON file
	Feeds    bool   // publish each department's transitions on tasks.DEPT
	// Advertise is the base URL of this replica's tasks API, where other
	// replicas forward requests about the tasks it holds; empty:
	// http://localhost:PORT of cfg.HTTP.
	Advertise string
	now       func() time.Time // the tasks' clock; nil is time.Now (tests move it)
}

// dispatcher is the dispatch role: the task service, its Kafka writers, its
// API and its webhooks.
type dispatcher struct {
	o       *proc
	svc     *tasks.Service
	api     *taskapi.API
	hooks   *webhook.Deliverer
	matrix  *dispatch.MatrixLog
	owners  *tasks.Owners
	pack    *rules.Pack
	writers []*kafka.Writer
	log     *slog.Logger
}

func newDispatcher(ctx context.Context, o *proc, pack *rules.Pack, files DispatchFiles, reg *prometheus.Registry, log *slog.Logger) (*dispatcher, error) {
	policy, err := sla.Load(o.PackFS(), pack.Location, pack.Categories)
	if err != nil {
		return nil, fmt.Errorf("loading the dispatch policy of %s: %w", o.packName(), err)
	}
	tk, err := ensureTokens(o.Tokens, pack) // created when missing
	if err != nil {
		return nil, err
	}
	if o.Dispatch.ClusterSecret == "" {
		return nil, errors.New("dispatch.cluster_secret is not set")
	}
	secret, err := taskapi.ParseSecret(o.Dispatch.ClusterSecret)
	if err != nil {
		return nil, err
	}
	endpoints := map[string]webhook.Endpoint{}
	if files.Webhooks != "" {
		if endpoints, err = webhook.ReadEndpoints(files.Webhooks); err != nil {
			return nil, err
		}
	}
	topics := []string{tasks.Topic, topicAudit, topicWebhookDLQ, bus.TopicIncidentChanges, bus.TopicIncidentsFound, stateful.TopicSignals}
	feeds := files.Feeds || len(endpoints) > 0 // webhooks are delivered from the department topics
	if feeds {
		topics = append(topics, feed.Topics(pack.Departments)...)
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, topics...); err != nil {
		return nil, err
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), 1, dispatch.MatrixTopic, tasks.OwnersTopic); err != nil {
		return nil, err
	}
	parts, err := samePartitions(ctx, o.Brokers(), tasks.Topic, bus.TopicIncidentsFound, bus.TopicIncidentChanges)
	if err != nil {
		return nil, err
	}
	if files.Advertise == "" {
		files.Advertise = "http://" + localAddr(o.HTTP.Listen)
	}
	known, names := map[string]bool{}, map[string]string{}
	for _, d := range pack.Departments {
		known[d.ID] = true
	}
	for _, c := range pack.Categories {
		names[c.Code] = c.Name
	}
	d := &dispatcher{o: o, log: log, pack: pack}
	d.matrix = dispatch.NewMatrixLog(d.writer(dispatch.MatrixTopic).WriteMessages)
	d.owners = tasks.NewOwners(files.Advertise, secret, d.writer(tasks.OwnersTopic).WriteMessages)
	tw, aw, hw := d.writer(tasks.Topic), d.writer(topicAudit), d.writer(topicWebhookDLQ)
	// One writer without a topic takes the incident change and the
	// department feed record of a step in one call.
	cw := d.writer("")
	changes := func(ctx context.Context, msgs ...kafka.Message) error {
		for i := range msgs {
			if msgs[i].Topic == "" {
				msgs[i].Topic = bus.TopicIncidentChanges
			}
		}
		return cw.WriteMessages(ctx, msgs...)
	}
	// With each resolve and close goes the done record that lets the merge
	// stage tell a repeat complaint from a new incident.
	done := tasks.DoneFanout(stateful.DoneRecords(pack.Merge, stateful.TopicSignals))
	fanout := func(t *lifecycle.Task, tr cityops.Transition) []kafka.Message {
		recs := done(t, tr)
		if feeds {
			recs = append(recs, feed.Records(t, tr)...)
		}
		return recs
	}
	d.hooks = webhook.New(webhook.Config{Endpoints: endpoints, Brokers: o.Brokers(), Logger: log,
		DeadLetter: func(ctx context.Context, dept string, body []byte, reason error) error {
			return hw.WriteMessages(ctx, kafka.Message{Key: []byte(dept), Value: body,
				Headers: []kafka.Header{{Key: bus.HeaderReason, Value: []byte(reason.Error())}}})
		}})
	d.svc = tasks.New(tasks.Config{
		Machine: &lifecycle.Machine{MaxReturns: policy.MaxReturns, MaxRedos: policy.Callback.MaxRedos, Response: policy.Response, Known: func(id string) bool { return known[id] },
			Category: func(code string) bool { _, ok := names[code]; return ok }},
		CategoryNames: names,
		Policy:        policy,
		Center:        pack.Matrix.Default,
		Transitions:   tw.WriteMessages,
		Changes:       changes,
		Fanout:        fanout,
		Reopen:        pack.Merge.ReopenWindow,
		Now:           files.now,
		Partitions:    parts,
		Logger:        log,
	})
	if err := reg.Register(d.svc.Collector()); err != nil {
		d.Close()
		return nil, fmt.Errorf("registering the task metrics: %w", err)
	}
	d.api, err = taskapi.New(taskapi.Config{Service: d.svc, Tokens: tk, Registry: reg, Logger: log, Owners: d.owners, ClusterSecret: secret,
		Audit: func(ctx context.Context, rec taskapi.AuditRecord) {
			v, _ := json.Marshal(rec)
			if err := aw.WriteMessages(ctx, kafka.Message{Key: []byte(rec.Actor), Value: v}); err != nil {
				log.Error("filing an audit record", "err", err)
			}
		}})
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *dispatcher) writer(topic string) *kafka.Writer {
	w := d.o.hooks.writer(d.o.Brokers(), topic)
	d.writers = append(d.writers, w)
	return w
}

// Routes are the tasks API's routes and the center's record of matrix changes.
func (d *dispatcher) Routes() map[string]http.Handler {
	r := d.api.Routes()
	r["GET /api/v1/matrix/changes"] = d.api.CenterOnly(http.HandlerFunc(d.matrixChanges))
	return r
}

// Cooperating returns the departments cooperating on the incident with id,
// when this replica holds its task.
func (d *dispatcher) Cooperating(_ context.Context, id string) []string {
	if t, ok := d.svc.Get(id); ok {
		return slices.Clone(t.Cooperating)
	}
	return nil
}

// Run takes part in the dispatchers' consumer group of the changes topic:
// each partition it is assigned is rebuilt from the same partition of the
// transitions topic, then adopts new incidents; a revoked partition's tasks
// are dropped, and the replica that takes it over rebuilds them. It also
// runs the clocks, the webhooks and the record of matrix changes.
func (d *dispatcher) Run(ctx context.Context) error {
	if err := d.loadMatrix(ctx); err != nil {
		return err
	}
	d.svc.SetReady() // partitions not held yet answer 503 until they are
	d.log.Info("dispatcher running", "advertise", d.owners.Self())
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.svc.RunTimers(ctx) })
	g.Go(func() error { return d.hooks.Run(ctx) })
	g.Go(func() error { return d.watchMatrix(ctx) })
	g.Go(func() error { return d.owners.Follow(ctx, d.o.Brokers(), tasks.OwnersTopic) })
	announce := func(held bool) func(p int) {
		return func(p int) {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := d.owners.Announce(actx, p, held); err != nil {
				d.log.Warn("announcing a partition's owner", "partition", p, "held", held, "err", err)
			}
		}
	}
	g.Go(func() error {
		return bus.ConsumePartitions(ctx, bus.ConsumerConfig{
			// What the processor found, in the order it found it: new
			// incidents to adopt and the signals to merge into them.
			Brokers: d.o.Brokers(), Topic: bus.TopicIncidentsFound, Group: groupDispatch,
			BatchSize: 1000, BatchWait: 5 * time.Millisecond, Logger: d.log, Metrics: d.o.hooks.busMetrics(),
		}, d.svc.PartitionOpener(d.o.Brokers(), tasks.Topic, announce(true), announce(false)))
	})
	return g.Wait()
}

// samePartitions returns the partition count shared by the topics: the
// incidents are split across replicas by partition, so partition p of each
// must hold the same incidents.
func samePartitions(ctx context.Context, brokers []string, topics ...string) (int, error) {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return 0, fmt.Errorf("reading partitions: dialing %s: %w", brokers[0], err)
	}
	defer conn.Close()
	n := -1
	for _, topic := range topics {
		parts, err := conn.ReadPartitions(topic)
		if err != nil {
			return 0, fmt.Errorf("reading partitions of %s: %w", topic, err)
		}
		if n >= 0 && len(parts) != n {
			return 0, fmt.Errorf("%s has %d partitions and %s %d: %w", topics[0], n, topic, len(parts),
				cityops.Invalid("partitions", "the transitions and changes topics must have the same count"))
		}
		n = len(parts)
	}
	return n, nil
}

func (d *dispatcher) Close() {
	for _, w := range d.writers {
		w.Close()
	}
}

// ensureTokens reads the tokens file, or writes new tokens for every
// department of the pack when there is none.
func ensureTokens(path string, pack *rules.Pack) (taskapi.Tokens, error) {
	tk, err := taskapi.ReadTokens(path)
	if err == nil {
		if tk.Inspectors == nil { // written before inspectors existed
			tk.Inspectors = taskapi.NewTokens(nil).Inspectors
			return tk, tk.Write(path)
		}
		return tk, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return tk, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return tk, fmt.Errorf("creating the tokens directory: %w", err)
	}
	tk = taskapi.NewTokens(pack.Departments)
	return tk, tk.Write(path)
}
