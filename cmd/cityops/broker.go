package main

import (
	"context"
	"io"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/rules/stateful"
)

func runBroker(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o config
	fs := newFlags("broker", stderr, &o)
	listen := fs.String("listen", "127.0.0.1:9092", "address to listen on")
	dir := fs.String("data-dir", "./.cityops/kafka", "directory the broker persists to (empty: memory only)")
	partitions := fs.Int("partitions", 4, "partitions of the pipeline's topics and of auto-created topics")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	log := o.logger(stderr)
	b, err := broker.Start(*listen, *dir, *partitions)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := ensurePipelineTopics(ctx, []string{b.Addr()}, *partitions); err != nil {
		return err
	}
	log.Info("broker running", "addr", b.Addr(), "data_dir", *dir)
	<-ctx.Done()
	log.Info("broker stopping")
	return nil
}

// ensurePipelineTopics creates every topic the pipeline's roles share,
// the processor's own among them, before any client of this process reads
// the broker's topic list: kafka-go keeps that list for 6 s, and a topic
// created after it was read is unknown to this process's writers until
// then (the processor's first partitions fail to open, and retry).
func ensurePipelineTopics(ctx context.Context, brokers []string, partitions int) error {
	if err := bus.EnsureTopics(ctx, brokers, partitions, bus.Topics...); err != nil {
		return err
	}
	return stateful.EnsureTopics(ctx, brokers, partitions, stateful.DefaultTopics)
}
