package stateful

import (
	"context"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// What the readings path (rules/readings) shares with these stages: it
// sends its alarm changes to the merge stage as signals, keeps its state on
// the same snapshots topic, replays its input the same way, and names the
// field at fault in a dead letter as classify does.

// AlarmSignal encodes an alarm change of the readings path as a record of
// the signals topic, with the reading that caused it (nil for an offline
// alarm raised by a clock). partition, offset and index place it in the
// readings topic: the merge stage keeps the last signal it applied from
// each source, and the readings topic's partitions are counted apart from
// the raw events topic's (ReadingsSource), so the two never shadow each
// other.
func AlarmSignal(ch rules.AlarmChange, ev *cityops.Event, cell cityops.Cell, partition int, offset int64, index int) ([]byte, error) {
	s := signal{Kind: signalAlarm, Cell: cell, Alarm: &ch, Event: ev,
		Src: source{Partition: ReadingsSource(partition), Offset: offset, Index: index}}
	return bus.EncodeJSON(&s)
}

// ReadingsSource is the source number of readings topic partition p in the
// merge stage's bookkeeping: -1 - p, apart from the raw events topic's
// partitions 0, 1, ...
func ReadingsSource(p int) int { return -1 - p }

// ReadRange hands the records of topic/partition in [from, end) to fn.
func ReadRange(ctx context.Context, brokers []string, topic string, partition int, from, end int64, fn func(kafka.Message)) error {
	return readRange(ctx, brokers, topic, partition, from, end, fn)
}

// PartitionEnd returns the first offset of topic/partition and the offset
// after its last record.
func PartitionEnd(ctx context.Context, brokers []string, topic string, partition int) (first, end int64, err error) {
	return partitionEnd(ctx, brokers, topic, partition)
}

// DecodeError turns an error of a strict json v2 decoding into a field
// error naming the member at fault, or "body".
func DecodeError(err error) error { return decodeError(err) }

// SnapshotKey is the key of a stage's partition on the snapshots topic.
func SnapshotKey(stage, topic string, partition int) string {
	return snapshotKey(stage, topic, partition)
}
