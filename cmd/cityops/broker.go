package main

import (
	"context"
	"io"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/broker"
)

func runBroker(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("broker", stderr, &o)
	listen := fs.String("listen", "127.0.0.1:9092", "address to listen on")
	dir := fs.String("data-dir", "./.cityops/kafka", "directory the broker persists to (empty: memory only)")
	partitions := fs.Int("partitions", 4, "partitions of the pipeline's topics and of auto-created topics")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	log := o.Logger(stderr)
	b, err := broker.Start(*listen, *dir, *partitions)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := role.EnsureTopics(ctx, []string{b.Addr()}, *partitions); err != nil {
		return err
	}
	log.Info("broker running", "addr", b.Addr(), "data_dir", *dir)
	<-ctx.Done()
	log.Info("broker stopping")
	return nil
}
