package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// GroupLag returns, per partition of topic, how many records group has not
// committed yet: the partition's end offset minus the group's committed
// offset (the whole partition when the group committed nothing). It asks
// the brokers, so it sees every replica of the group, not only this one.
func GroupLag(ctx context.Context, brokers []string, group, topic string) (map[int]int64, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return nil, fmt.Errorf("reading metadata of %s: %v", topic, md.Topics)
	}
	parts := make([]int, 0, len(md.Topics[0].Partitions))
	ends := make([]kafka.OffsetRequest, 0, len(parts))
	for _, p := range md.Topics[0].Partitions {
		parts = append(parts, p.ID)
		ends = append(ends, kafka.LastOffsetOf(p.ID))
	}
	lo, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: ends}})
	if err != nil {
		return nil, fmt.Errorf("listing offsets of %s: %w", topic, err)
	}
	of, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return nil, fmt.Errorf("fetching offsets of %s on %s: %w", group, topic, err)
	}
	if of.Error != nil && !errors.Is(of.Error, kafka.GroupIdNotFound) { // a new group has committed nothing
		return nil, fmt.Errorf("fetching offsets of %s on %s: %w", group, topic, of.Error)
	}
	committed := map[int]int64{}
	for _, p := range of.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("fetching offsets of %s on %s/%d: %w", group, topic, p.Partition, p.Error)
		}
		committed[p.Partition] = p.CommittedOffset
	}
	lag := make(map[int]int64, len(parts))
	for _, p := range lo.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("listing offsets of %s/%d: %w", topic, p.Partition, p.Error)
		}
		start := max(committed[p.Partition], p.FirstOffset) // -1: nothing committed
		if start < 0 {
			start = 0
		}
		lag[p.Partition] = max(0, p.LastOffset-start)
	}
	return lag, nil
}

// TotalLag adds up the lag of every partition.
func TotalLag(lag map[int]int64) int64 {
	var n int64
	for _, l := range lag {
		n += l
	}
	return n
}
