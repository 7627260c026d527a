package role

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
)

// Ingest runs the intake role alone until ctx is done: POST
// /api/v1/events, the Open311 API, NDJSON readings (onto readings.raw, where
// the process role's readings path takes them as it takes the gateways')
// and the caller lookup over HTTP. ClickHouse is read for the status of
// Open311 requests. At shutdown intake refuses new input first.
func Ingest(ctx context.Context, cfg Config, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, bus.Topics...); err != nil {
		return err
	}
	s, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	return runInOrder(ctx, o.Shutdown.Timeout, log, o.hooks.intake.close,
		stage{"intake", waitDone, o.hooks.intake.idle},
		stage{"http", func(ctx context.Context) error { return serveIntake(ctx, o, pack, s, reg, log) }, nil},
	)
}

// intakeAPI returns the intake routes, which refuse input once the intake
// gate closes, and a func that closes their writers. Writes take the
// configured intake keys, and the ids intake stored are remembered through
// bus.TopicIntakeIDs, which a goroutine reads until ctx is done.
func intakeAPI(ctx context.Context, o *proc, pack *rules.Pack, areas *geo.Index, s *store.Store, log *slog.Logger) (map[string]http.Handler, func(), error) {
	sec, err := newIntakeSecurity(ctx, o, log)
	if err != nil {
		return nil, nil, err
	}
	events := o.hooks.writer(o.Brokers(), bus.TopicEventsRaw)
	api := map[string]http.Handler{
		"POST /api/v1/events": &ingest.Handler{
			Validator:  &ingest.Validator{BBox: areas.BBox()},
			Publish:    events.WriteMessages,
			Logger:     log,
			Keys:       sec.keys,
			Devices:    devices(pack),
			IDs:        sec.ids,
			PublishIDs: sec.publishIDs,
		},
	}
	in, closeIntake, err := intakeRoutes(ctx, o, pack, areas, events.WriteMessages, s, sec, log)
	if err != nil {
		events.Close()
		sec.close()
		return nil, nil, err
	}
	maps.Copy(api, in)
	for p, h := range api { // intake stops first at shutdown
		api[p] = o.hooks.intake.wrap(h)
	}
	return api, func() { closeIntake(); events.Close(); sec.close() }, nil
}

// serveIntake serves the intake API with the probes and metrics until ctx
// is done.
func serveIntake(ctx context.Context, o *proc, pack *rules.Pack, s *store.Store, reg *prometheus.Registry, log *slog.Logger) error {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	api, closeIntake, err := intakeAPI(ctx, o, pack, areas, s, log)
	if err != nil {
		return err
	}
	defer closeIntake()
	admin := web.NewAdmin(reg, o.hooks.intake.ready(readiness(o, s)), log)
	mux := http.NewServeMux()
	for _, p := range []string{"GET /healthz", "GET /readyz", "GET /metrics"} {
		mux.Handle(p, admin)
	}
	for p, h := range api {
		mux.Handle(p, h)
	}
	ln, err := net.Listen("tcp", o.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.HTTP.Listen, err)
	}
	h, err := web.InstrumentHTTP(reg, mux)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("intake serving", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving intake on %s: %w", o.HTTP.Listen, err)
	}
	return nil
}
