package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/ingest/bus"
	"github.com/cityops/cityops/ingest/sim"
	"github.com/cityops/cityops/store"
	"golang.org/x/sync/errgroup"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags("dev", stderr, &o, "clickhouse", "http", "pack", "run")
	dataDir := fs.String("data-dir", "./.cityops", "directory for the broker's data")
	kafkaListen := fs.String("kafka-listen", "127.0.0.1:9092", "address of the embedded broker")
	external := fs.String("kafka", "", "use these Kafka brokers instead of the embedded one")
	fs.IntVar(&o.partitions, "partitions", 4, "partitions of the pipeline's topics")
	noSim := fs.Bool("no-sim", false, "do not run the simulator")
	webhooks := fs.String("webhooks", "", "departments' webhooks, a JSON file (see cityops dispatch -h)")
	simRate := fs.Float64("sim-rate", 5, "events per second from the simulator")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := o.logger(stderr)
	pack, err := o.loadPack()
	if err != nil {
		return err
	}

	o.kafka = *external
	if o.kafka == "" {
		b, err := broker.Start(*kafkaListen, filepath.Join(*dataDir, "kafka"), o.partitions)
		if err != nil {
			return err
		}
		defer b.Close()
		o.kafka = b.Addr()
		log.Info("embedded broker running", "addr", o.kafka)
	}
	if err := bus.EnsureTopics(ctx, o.brokers(), o.partitions, bus.Topics...); err != nil {
		return err
	}
	s, err := store.Open(ctx, store.Options{Addr: o.clickhouse, Database: o.database})
	if err != nil {
		return fmt.Errorf("%w (start a local server with: deploy/local/clickhouse.sh start)", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}

	reg := newRegistry()
	tokens := filepath.Join(*dataDir, "tokens.json")
	d, err := newDispatcher(ctx, &o, pack, dispatchFiles{tokens: tokens, webhooks: *webhooks, feeds: true}, reg, log.With("role", "dispatch"))
	if err != nil {
		return err
	}
	defer d.Close()

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return process(ctx, &o, pack, log.With("role", "process")) })
	g.Go(func() error { return sink(ctx, &o, s, log.With("role", "store")) })
	g.Go(func() error { return forwardReadings(ctx, &o, pack, log.With("role", "readings")) })
	g.Go(func() error { return d.Run(ctx) })
	g.Go(func() error { return serveWeb(ctx, &o, pack, s, reg, log.With("role", "web"), d.Routes()) })
	url := "http://" + localAddr(o.http)
	fmt.Fprintf(stdout, "\n  cityops is running: open %s\n  tasks API tokens: %s\n\n", url, tokens)
	if !*noSim {
		g.Go(func() error {
			sm, err := sim.New(pack, 0)
			if err != nil {
				return err
			}
			select { // let the web server start listening
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil
			}
			_, err = sim.Run(ctx, sm, sim.Config{Target: url, Rate: *simRate, Logger: log.With("role", "sim")})
			return err
		})
	}
	return g.Wait()
}

// localAddr turns a listen address into one a local client can dial.
func localAddr(listen string) string {
	if strings.HasPrefix(listen, ":") {
		return "localhost" + listen
	}
	return listen
}
