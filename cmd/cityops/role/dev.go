package role

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/prometheus/client_golang/prometheus"
)

// DevIntakeKey is the intake key `cityops dev` adds, so that its simulator
// and the README's examples can post events; DevIntakeSecret is its secret,
// the default of the sim and load tools.
const (
	DevIntakeKey    = "dev=" + DevIntakeSecret
	DevIntakeSecret = "dev-key"
)

// DevConfig is what `cityops dev` runs besides the roles' Config.
type DevConfig struct {
	// DataDir holds the embedded broker's data and the tokens file
	// (tokens.json), and mosquitto.sh's MQTT password.
	DataDir string
	// Broker is the embedded broker's listen address; empty starts none,
	// and cfg.Kafka names the brokers.
	Broker   string
	Sim      bool    // run the simulator
	SimRate  float64 // events per second from the simulator
	Webhooks string  // departments' webhooks, a JSON file (DispatchFiles)
	MQTT     MQTTConfig
}

// Dev runs every role in one process until ctx is done (runPipeline): the
// embedded broker unless dev.Broker is empty, the schema migrated, the
// dispatcher with the tokens under dev.DataDir, the MQTT intake when a
// broker answers, and the simulator. It writes where to start to stdout.
func Dev(ctx context.Context, cfg Config, dev DevConfig, stdout io.Writer, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}

	if dev.Broker != "" {
		b, err := broker.Start(dev.Broker, filepath.Join(dev.DataDir, "kafka"), o.Kafka.Partitions)
		if err != nil {
			return err
		}
		defer b.Close()
		o.Kafka.Brokers = []string{b.Addr()}
		log.Info("embedded broker running", "addr", b.Addr())
	}
	if err := EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions); err != nil {
		return err
	}
	s, err := o.OpenStore(ctx)
	if err != nil {
		return fmt.Errorf("%w (start a local server with: deploy/local/clickhouse.sh start)", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}

	reg, err := o.instrument()
	if err != nil {
		return err
	}
	tokens := filepath.Join(dev.DataDir, "tokens.json")
	o.Tokens = tokens
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{Webhooks: dev.Webhooks, Feeds: true}, reg, log.With("role", "dispatch"))
	if err != nil {
		return err
	}
	defer d.Close()

	url := "http://" + localAddr(o.HTTP.Listen)
	o.Tasks = url // the dispatcher's tasks API is served here, and it advertises this URL
	fmt.Fprintf(stdout, "\n  cityops is running: open %s\n  tasks API tokens: %s\n  intake key: %s (Authorization: Bearer %s)\n\n", url, tokens, DevIntakeKey, DevIntakeSecret)
	var first []stage
	if st, ok := devMQTT(ctx, o, &dev.MQTT, dev.DataDir, pack, reg, log); ok {
		first = append(first, st)
	}
	if dev.Sim {
		first = append(first, stage{"sim", func(ctx context.Context) error {
			sm, err := sim.New(pack, 0)
			if err != nil {
				return err
			}
			select { // let the web server start listening
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil
			}
			_, err = sim.Run(ctx, sm, sim.Config{Target: url, Key: DevIntakeSecret, Rate: dev.SimRate, Logger: log.With("role", "sim")})
			return err
		}, nil})
	}
	return runPipeline(ctx, o, pack, s, reg, d, log, first...)
}

// runPipeline runs every stage in one process until ctx is done, and then
// shuts them down in pipeline order: intake refuses new input, then the
// readings path, the processor, the dispatcher and the store sink each
// stop once they have handled all their input, and the web server, with its
// live map clients, stops last. first are stages that feed intake. d may be
// nil.
func runPipeline(ctx context.Context, o *proc, pack *rules.Pack, s *store.Store, reg *prometheus.Registry, d *dispatcher, log *slog.Logger, first ...stage) error {
	var routes []map[string]http.Handler
	stages := append(first,
		stage{"intake", waitDone, o.hooks.intake.idle},
		stage{"readings", func(ctx context.Context) error { return readingsPath(ctx, o, pack, s, log.With("role", "readings")) },
			readingsDrained(o)},
		stage{"process", func(ctx context.Context) error { return runProcessor(ctx, o, pack, log.With("role", "process")) },
			processDrained(o)},
	)
	if d != nil {
		routes = append(routes, d.Routes())
		o.cooperating = d.Cooperating
		stages = append(stages, stage{"dispatch", d.Run, lagZero(o, groupDispatch, bus.TopicIncidentsFound)})
	}
	stages = append(stages,
		stage{"store", func(ctx context.Context) error { return sink(ctx, o, s, log.With("role", "store")) }, storeDrained(o)},
		stage{"names", func(ctx context.Context) error { return syncNames(ctx, o, s, pack, log.With("role", "store")) }, nil},
		stage{"web", func(ctx context.Context) error {
			return serveWeb(ctx, o, pack, s, reg, log.With("role", "web"), routes...)
		}, nil},
	)
	return runInOrder(ctx, o.Shutdown.Timeout, log, o.hooks.intake.close, stages...)
}

// localAddr turns a listen address into one a local client can dial.
func localAddr(listen string) string {
	if strings.HasPrefix(listen, ":") {
		return "localhost" + listen
	}
	return listen
}
