package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/prometheus/client_golang/prometheus"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o proc
	fs := newFlags("dev", stderr, &o.config, "clickhouse", "http", "pack", "run")
	registerPublicMinCount(fs, &o.config)
	dataDir := fs.String("data-dir", "./.cityops", "directory for the broker's data, the tokens and the secrets cityops dev keeps")
	registerClusterSecret(fs, &o.config)
	kafkaListen := fs.String("kafka-listen", "127.0.0.1:9092", "address of the embedded broker")
	external := fs.String("kafka", "", "use these Kafka brokers instead of the embedded one")
	o.Kafka.Partitions = devPartitions(runtime.NumCPU())
	settingVar(fs, &o.config, "kafka.partitions", "partitions of the pipeline's topics (default: the machine's cores, 2 to 4)")
	noSim := fs.Bool("no-sim", false, "do not run the simulator")
	webhooks := fs.String("webhooks", "", "departments' webhooks, a JSON file (see cityops dispatch -h)")
	simRate := fs.Float64("sim-rate", 5, "events per second from the simulator")
	var mq mqttOptions
	mq.register(fs, " of device readings, used when it answers; empty for none")
	if err := parseFlags(fs, &o.config, args); err != nil {
		return err
	}
	// Without configured secrets, dev keeps its own under the data dir.
	if err := devSecrets(*dataDir, map[string]*string{
		"intake.caller_key": &o.Intake.CallerKey, "dispatch.cluster_secret": &o.Dispatch.ClusterSecret,
	}); err != nil {
		return err
	}
	log := o.logger(stderr)
	tuneDevGC(log)
	pack, err := o.loadPack()
	if err != nil {
		return err
	}

	if *external == "" { // else parseFlags set kafka.brokers to it
		b, err := broker.Start(*kafkaListen, filepath.Join(*dataDir, "kafka"), o.Kafka.Partitions)
		if err != nil {
			return err
		}
		defer b.Close()
		o.Kafka.Brokers = []string{b.Addr()}
		log.Info("embedded broker running", "addr", b.Addr())
	}
	if err := ensurePipelineTopics(ctx, o.brokers(), o.Kafka.Partitions); err != nil {
		return err
	}
	s, err := o.openStore(ctx)
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
	tokens := filepath.Join(*dataDir, "tokens.json")
	o.Tokens = tokens
	d, err := newDispatcher(ctx, &o, pack, dispatchFiles{webhooks: *webhooks, feeds: true}, reg, log.With("role", "dispatch"))
	if err != nil {
		return err
	}
	defer d.Close()

	url := "http://" + localAddr(o.HTTP.Listen)
	o.Tasks = url // the dispatcher's tasks API is served here, and it advertises this URL
	fmt.Fprintf(stdout, "\n  cityops is running: open %s\n  tasks API tokens: %s\n  intake key: %s (Authorization: Bearer %s)\n\n", url, tokens, devIntakeKey, devIntakeSecret)
	var first []stage
	if st, ok := devMQTT(ctx, &o, &mq, *dataDir, pack, reg, log); ok {
		first = append(first, st)
	}
	if !*noSim {
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
			_, err = sim.Run(ctx, sm, sim.Config{Target: url, Key: devIntakeSecret, Rate: *simRate, Logger: log.With("role", "sim")})
			return err
		}, nil})
	}
	return runPipeline(ctx, &o, pack, s, reg, d, log, first...)
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

// devPartitions is the partitions of the pipeline's topics that `cityops dev`
// creates on a machine with cores cores: one per core, at least 2 and at most
// 4. One process runs every stage there, so partitions beyond the cores buy
// no parallelism, and each one splits the traffic into smaller batches, each
// with its own produce, commit and fetch: at 5k events/s on two cores, 2
// partitions instead of 4 took the p99 from intake to the live map from about
// 115 to about 95 ms (measured with cityops load when this was made). Topics
// that exist keep their partitions.
func devPartitions(cores int) int { return min(4, max(2, cores)) }
