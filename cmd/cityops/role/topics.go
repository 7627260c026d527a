package role

import (
	"context"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules/stateful"
)

// EnsureTopics creates every topic the pipeline's roles share,
// the processor's own among them, before any client of this process reads
// the broker's topic list: kafka-go keeps that list for 6 s, and a topic
// created after it was read is unknown to this process's writers until
// then (the processor's first partitions fail to open, and retry).
func EnsureTopics(ctx context.Context, brokers []string, partitions int) error {
	if err := bus.EnsureTopics(ctx, brokers, partitions, bus.Topics...); err != nil {
		return err
	}
	return stateful.EnsureTopics(ctx, brokers, partitions, stateful.DefaultTopics)
}
