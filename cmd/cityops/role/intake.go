package role

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/open311"
	"github.com/cityops/cityops/ingest/privacy"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/segmentio/kafka-go"
)

// Topics of caller privacy.
const (
	TopicAudit   = bus.TopicCallersAudit
	TopicCallers = bus.TopicCallers
)

// devices turns the pack's registered sensors into intake's registry.
func devices(p *rules.Pack) ingest.Registry { return ingest.NewRegistry(p.Devices) }

// intakeRoutes returns the routes of the hotline and sensor intake besides
// POST /api/v1/events: Open311 under /open311/v2, NDJSON readings, and the
// audited caller lookup. Requests' status comes from the store.
//
// Sealed callers are kept on their own topic, which every web process reads
// into its vault from the start, so any replica can answer a caller read.
func intakeRoutes(ctx context.Context, o *proc, pack *rules.Pack, areas *geo.Index, publish bus.Publish, s *store.Store, sec *intakeSecurity, log *slog.Logger) (map[string]http.Handler, func(), error) {
	in := o.Intake
	if err := bus.EnsureTopics(ctx, o.Brokers(), max(1, o.Kafka.Partitions), TopicAudit, TopicCallers); err != nil {
		return nil, nil, err
	}
	key, err := callerKey(in.CallerKey)
	if err != nil {
		return nil, nil, err
	}
	sealer, err := privacy.NewSealer(key)
	if err != nil {
		return nil, nil, err
	}
	vault := privacy.NewVault()
	audit := o.hooks.writer(o.Brokers(), TopicAudit)
	sealed := o.hooks.writer(o.Brokers(), TopicCallers)
	go loadVault(ctx, o, vault, log)
	validator := &ingest.Validator{BBox: areas.BBox()}
	var list open311.ListFunc
	var find open311.FindFunc
	var token open311.TokenFunc
	if s != nil {
		list, find, token = storedRequestList(s), storedRequestsByID(s), s.RequestByToken
	}
	feedback, err := feedbackTo(o, log)
	if err != nil {
		return nil, nil, err
	}
	srv := open311.New(open311.Config{
		List:       list,
		Find:       find,
		Token:      token,
		Feedback:   feedback,
		Categories: pack.Categories,
		APIKeys:    set(in.APIKeys),
		Validator:  validator,
		Publish:    publish,
		Status:     incidentStatus(s, pack),
		Lookup:     storedRequest(s),
		LookupMany: storedRequests(s),
		Agencies:   agencies(pack),
		Locale:     locale(pack),
		IDs:        sec.ids,
		PublishIDs: sec.publishIDs,
		Limiter:    ingest.NewKeyLimiter(20, 40),
		Sealer:     sealer,
		KeepSealed: func(ctx context.Context, id string, b []byte) error {
			if err := sealed.WriteMessages(ctx, kafka.Message{Key: []byte(id), Value: b}); err != nil {
				return err
			}
			vault.Put(id, b)
			return nil
		},
	})
	routes := srv.Routes("/open311/v2")
	readings := o.hooks.writer(o.Brokers(), bus.TopicReadingsRaw) // the readings path takes them there
	routes["POST /api/v1/readings"] = &ingest.ReadingsHandler{
		Validator: validator, Devices: devices(pack), Publish: readings.WriteMessages,
		Limiter: ingest.NewKeyLimiter(50, 200), Logger: log,
		Keys: sec.keys, IDs: sec.ids, PublishIDs: sec.publishIDs,
	}
	routes["GET /api/v1/callers/{id}"] = &privacy.Handler{
		Sealer: sealer, Vault: vault, Officers: pairs(in.Officers), Logger: log,
		Audit: func(ctx context.Context, a privacy.Audit) error {
			b, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("encoding audit: %w", err)
			}
			return audit.WriteMessages(ctx, kafka.Message{Key: []byte(a.RecordID), Value: b})
		},
	}
	return routes, func() { audit.Close(); sealed.Close(); readings.Close() }, nil
}

// feedbackTo is where citizens' Open311 ratings go: the dispatchers of
// o.Tasks, signed with the cluster secret (CITYOPS_CLUSTER_SECRET
// when the role has no --cluster-secret). Nil without dispatchers or
// without the secret: the endpoint then answers ratings with 404.
func feedbackTo(o *proc, log *slog.Logger) (open311.FeedbackFunc, error) {
	if strings.TrimSpace(o.Tasks) == "" {
		return nil, nil
	}
	hexSecret := o.Dispatch.ClusterSecret
	if hexSecret == "" {
		log.Warn("Open311 takes no citizens' ratings: set CITYOPS_CLUSTER_SECRET, the dispatchers' cluster secret, to hand them over", "tasks", o.Tasks)
		return nil, nil
	}
	secret, err := taskapi.ParseSecret(hexSecret)
	if err != nil {
		return nil, fmt.Errorf("citizens' feedback to %s: dispatch.cluster_secret: %w", o.Tasks, err)
	}
	return citizenFeedback(strings.Split(o.Tasks, ","), secret, &http.Client{Timeout: 10 * time.Second}), nil
}

// loadVault reads every sealed caller into vault, and then the new ones,
// until ctx is done. It reads without a consumer group: a group per start
// would be left on the brokers by every restart.
func loadVault(ctx context.Context, o *proc, vault *privacy.Vault, log *slog.Logger) {
	err := bus.Tail(ctx, bus.ConsumerConfig{
		Brokers: o.Brokers(), Topic: TopicCallers,
		BatchWait: 5 * time.Millisecond, Logger: log,
	}, func(_ context.Context, batch []kafka.Message) error {
		for _, m := range batch {
			vault.Put(string(m.Key), m.Value)
		}
		return nil
	})
	if err != nil {
		log.Error("loading sealed callers", "err", err)
	}
}

// incidentStatus reads a request's state from the incident its event
// raised.
func incidentStatus(s *store.Store, pack *rules.Pack) open311.StatusFunc {
	names := map[string]string{}
	for _, d := range pack.Departments {
		names[d.ID] = d.Name
	}
	return func(ctx context.Context, eventID string) (open311.Status, bool) {
		if s == nil {
			return open311.Status{}, false
		}
		inc, err := s.Incident(ctx, "INC-"+eventID)
		if err != nil {
			return open311.Status{}, false
		}
		agency := names[inc.DepartmentID]
		if agency == "" {
			agency = inc.DepartmentID
		}
		return open311.Status{
			Open: inc.Status.Open(), Agency: agency, Notes: string(inc.Status),
			Updated: inc.Updated, Expected: inc.Deadline,
		}, true
	}
}

// storedRequest reads back a request created by another replica or before
// a restart from the events the store holds.
func storedRequest(s *store.Store) open311.LookupFunc {
	return func(ctx context.Context, id string) (open311.Record, bool) {
		if s == nil || !strings.HasPrefix(id, "311-") {
			return open311.Record{}, false
		}
		ev, err := s.EventByID(ctx, id)
		if err != nil {
			return open311.Record{}, false
		}
		return requestOf(ev)
	}
}

// storedRequests reads back many requests with one query of the store.
func storedRequests(s *store.Store) open311.LookupManyFunc {
	return func(ctx context.Context, ids []string) map[string]open311.Record {
		out := map[string]open311.Record{}
		if s == nil {
			return out
		}
		evs, err := s.EventsByID(ctx, ids)
		if err != nil {
			return out
		}
		for id, ev := range evs {
			if rec, ok := requestOf(ev); ok {
				out[id] = rec
			}
		}
		return out
	}
}

// requestOf is the Open311 request an Open311 event was made from.
func requestOf(ev store.EventRecord) (open311.Record, bool) {
	code, ok := strings.CutPrefix(ev.Type, "open311:")
	if !ok || !strings.HasPrefix(ev.ID, ingest.PrefixOpen311) {
		return open311.Record{}, false
	}
	_, desc, _ := strings.Cut(ev.Text, ": ")
	return open311.Record{ID: ev.ID, ServiceCode: code, Description: desc, Lat: ev.Lat, Long: ev.Lon, Requested: ev.Time}, true
}

// intakeSecurity is who may write to intake and what it stored: the
// senders' keys and the ids, shared by the events, readings and Open311
// endpoints of one process.
type intakeSecurity struct {
	keys       *ingest.Keys
	ids        *ingest.IDs
	publishIDs bus.Publish
	close      func()
}

// newIntakeSecurity parses the intake keys (cmd/cityops refused a role
// without them; cityops dev has dev-key) and starts loading the id memory
// from bus.TopicIntakeIDs; the endpoints wait for it before they take an id.
func newIntakeSecurity(ctx context.Context, o *proc, log *slog.Logger) (*intakeSecurity, error) {
	keys, err := ingest.ParseKeys(strings.Join(o.Intake.Keys, "\n"))
	if err != nil {
		return nil, fmt.Errorf("intake.keys: %w", err)
	}
	if keys.Len() == 0 {
		return nil, errors.New("intake.keys is not set: intake takes only known senders")
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), max(1, o.Kafka.Partitions), bus.TopicIntakeIDs); err != nil {
		return nil, err
	}
	ids := ingest.NewIDs(0)
	lctx, stop := context.WithCancel(ctx)
	go loadIDs(lctx, o, ids, log)
	w := o.hooks.writer(o.Brokers(), bus.TopicIntakeIDs)
	log.Info("intake keys", "senders", strings.Join(keys.Names(), ","))
	return &intakeSecurity{keys: keys, ids: ids, publishIDs: w.WriteMessages, close: func() { stop(); w.Close() }}, nil
}

// loadIDs reads bus.TopicIntakeIDs into ids, and then what the other
// intakes add, until ctx is done; it starts over after an error.
func loadIDs(ctx context.Context, o *proc, ids *ingest.IDs, log *slog.Logger) {
	for ctx.Err() == nil {
		err := ingest.LoadIDs(ctx, o.Brokers(), bus.TopicIntakeIDs, ids, log)
		if err == nil || ctx.Err() != nil {
			return
		}
		log.Error("loading intake ids; retrying", "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
	}
}

// callerKey decodes the configured key. Every role that seals callers has
// one: cmd/cityops refuses to start without it, and cityops dev keeps its own.
func callerKey(hexKey string) ([]byte, error) {
	if hexKey == "" {
		return nil, errors.New("intake.caller_key is not set")
	}
	return privacy.ParseKey(hexKey)
}

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range list {
		if k = strings.TrimSpace(k); k != "" {
			m[k] = true
		}
	}
	return m
}

func pairs(list []string) map[string]string {
	m := map[string]string{}
	for _, p := range list {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}
