package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/bus"
	"github.com/cityops/cityops/ingest/open311"
	"github.com/cityops/cityops/ingest/privacy"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/segmentio/kafka-go"
)

// Topics of caller privacy.
const (
	TopicAudit   = "audit.callers"  // a record of every read of a caller's personal data
	TopicCallers = "callers.sealed" // sealed callers keyed by request id; compact it in production
)

// intakeOptions configure the hotline and sensor intake of the web role.
type intakeOptions struct {
	apiKeys   string // comma-separated Open311 api keys
	callerKey string // hex AES key sealing callers' personal data
	officers  string // comma-separated token=name pairs allowed to read callers
}

// register adds the intake flags. In dev the api key dev-key and the
// officer token dev-officer are accepted, and a caller key is kept under
// the data dir when none is given (see devSecrets); the other roles refuse
// to start without one.
func (in *intakeOptions) register(fs *flag.FlagSet, command string) {
	keys, officers := os.Getenv("CITYOPS_API_KEYS"), os.Getenv("CITYOPS_OFFICERS")
	if command == "dev" {
		keys = strings.Trim(keys+",dev-key", ",")
		officers = strings.Trim(officers+",dev-officer=dev officer", ",")
	}
	fs.StringVar(&in.apiKeys, "api-keys", keys, "Open311 api keys allowed to create requests, comma-separated (env CITYOPS_API_KEYS)")
	fs.StringVar(&in.callerKey, "caller-key", os.Getenv("CITYOPS_CALLER_KEY"), "hex AES-256 key sealing callers' personal data (env CITYOPS_CALLER_KEY)")
	fs.StringVar(&in.officers, "officers", officers, "token=name pairs allowed to read callers, comma-separated (env CITYOPS_OFFICERS)")
}

// devices turns the pack's registered sensors into intake's registry.
func devices(p *rules.Pack) ingest.Registry {
	devs := make([]ingest.Device, 0, len(p.Devices))
	for _, d := range p.Devices {
		devs = append(devs, ingest.Device{ID: d.ID, Type: d.Type, Unit: d.Unit, Lat: d.Lat, Lon: d.Lon})
	}
	return ingest.NewRegistry(devs)
}

// intakeRoutes returns the routes of the hotline and sensor intake besides
// POST /api/v1/events: Open311 under /open311/v2, NDJSON readings, and the
// audited caller lookup. Requests' status comes from the store.
//
// Sealed callers are kept on their own topic, which every web process reads
// into its vault from the start, so any replica can answer a caller read.
func intakeRoutes(ctx context.Context, o *options, pack *rules.Pack, areas *geo.Index, publish ingest.Publish, s *store.Store, log *slog.Logger) (map[string]http.Handler, func(), error) {
	in := o.intake
	if err := bus.EnsureTopics(ctx, o.brokers(), max(1, o.partitions), TopicAudit, TopicCallers); err != nil {
		return nil, nil, err
	}
	key, err := callerKey(in.callerKey)
	if err != nil {
		return nil, nil, err
	}
	sealer, err := privacy.NewSealer(key)
	if err != nil {
		return nil, nil, err
	}
	vault := privacy.NewVault()
	audit := o.hooks.writer(o.brokers(), TopicAudit)
	sealed := o.hooks.writer(o.brokers(), TopicCallers)
	go loadVault(ctx, o, vault, log)
	validator := &ingest.Validator{BBox: areas.BBox()}
	srv := open311.New(open311.Config{
		Categories: pack.Categories,
		APIKeys:    set(in.apiKeys),
		Validator:  validator,
		Publish:    publish,
		Status:     incidentStatus(s, pack),
		Lookup:     storedRequest(s),
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
	readings := o.hooks.writer(o.brokers(), bus.TopicReadingsRaw) // the readings path takes them there
	routes["POST /api/v1/readings"] = &ingest.ReadingsHandler{
		Validator: validator, Devices: devices(pack), Publish: readings.WriteMessages,
		Limiter: ingest.NewKeyLimiter(50, 200), Logger: log,
	}
	routes["GET /api/v1/callers/{id}"] = &privacy.Handler{
		Sealer: sealer, Vault: vault, Officers: pairs(in.officers), Logger: log,
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

// loadVault reads every sealed caller into vault, and then the new ones,
// until ctx is done. It reads without a consumer group: a group per start
// would be left on the brokers by every restart.
func loadVault(ctx context.Context, o *options, vault *privacy.Vault, log *slog.Logger) {
	err := bus.Tail(ctx, bus.ConsumerConfig{
		Brokers: o.brokers(), Topic: TopicCallers,
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
		code, ok := strings.CutPrefix(ev.Type, "open311:")
		if !ok {
			return open311.Record{}, false
		}
		_, desc, _ := strings.Cut(ev.Text, ": ")
		return open311.Record{ID: ev.ID, ServiceCode: code, Description: desc, Lat: ev.Lat, Long: ev.Lon, Requested: ev.Time}, true
	}
}

// callerKey decodes the configured key. Every role that seals callers has
// one: parseFlags refuses to start without it, and cityops dev keeps its own.
func callerKey(hexKey string) ([]byte, error) {
	if hexKey == "" {
		return nil, errors.New("intake.caller_key is not set")
	}
	return privacy.ParseKey(hexKey)
}

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Split(list, ",") {
		if k = strings.TrimSpace(k); k != "" {
			m[k] = true
		}
	}
	return m
}

func pairs(list string) map[string]string {
	m := map[string]string{}
	for _, p := range strings.Split(list, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}
