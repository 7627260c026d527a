package stateful

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// snapshot is one record of the snapshots topic: a partition's state and the
// offset of the last input record it reflects.
type snapshot struct {
	Offset int64           `json:"offset"`
	State  json.RawMessage `json:"state"`
}

// Snapshots keeps the state of each input partition of each stage on a
// compacted topic, keyed "STAGE/TOPIC/PARTITION": compaction keeps the last
// record of each key, which is all a new owner needs.
type Snapshots struct {
	brokers []string
	topic   string
	w       *kafka.Writer
}

// NewSnapshots returns the snapshot store on topic, which must exist
// (bus.EnsureCompacted makes it). Input partition N's snapshots go to
// partition N of topic (modulo its partitions), so Load reads one partition.
func NewSnapshots(brokers []string, topic string) *Snapshots {
	return &Snapshots{brokers: brokers, topic: topic, w: &kafka.Writer{
		Addr: kafka.TCP(brokers...), Topic: topic, Balancer: byInputPartition{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 10,
		// A partition's state can be megabytes: compressed, and up to the
		// topic's limit (bus.EnsureCompacted sets it).
		Compression: kafka.Zstd, BatchBytes: 4 * bus.MaxStateBytes,
	}}
}

// Close closes the writer.
func (s *Snapshots) Close() error { return s.w.Close() }

func snapshotKey(stage, topic string, partition int) string {
	return stage + "/" + topic + "/" + strconv.Itoa(partition)
}

// byInputPartition sends a snapshot to the partition its key names.
type byInputPartition struct{}

func (byInputPartition) Balance(m kafka.Message, partitions ...int) int {
	k := string(m.Key)
	n, _ := strconv.Atoi(k[strings.LastIndexByte(k, '/')+1:])
	return partitions[n%len(partitions)]
}

// Save writes a partition's state as of offset; it returns once it is
// durable.
func (s *Snapshots) Save(ctx context.Context, key string, offset int64, state []byte) error {
	v := spliceField("state", state, strconv.AppendInt([]byte(`{"offset":`), offset, 10), []byte("}"))
	if err := s.w.WriteMessages(ctx, kafka.Message{Key: []byte(key), Value: v}); err != nil {
		return fmt.Errorf("saving snapshot %s at %d: %w", key, offset, err)
	}
	return nil
}

// spliceField returns the JSON object whose fields are name set to raw, then
// those of obj (an object's text given in pieces, "{...}"). raw is state a
// machine encoded: copied as it is, where json.Marshal of a RawMessage
// would parse and compact megabytes of it once more for every snapshot.
func spliceField(name string, raw []byte, obj ...[]byte) []byte {
	fields := bytes.TrimPrefix(bytes.Join(obj, nil), []byte("{"))
	v := make([]byte, 0, len(name)+len(raw)+len(fields)+5)
	v = append(v, '{', '"')
	v = append(v, name...)
	v = append(v, '"', ':')
	v = append(v, raw...)
	if len(fields) > 1 {
		v = append(v, ',')
	}
	return append(v, fields...)
}

// Load returns the latest snapshot saved under key, or found=false. It reads
// the snapshot partition backwards in growing windows from its end, so an
// uncompacted topic costs only the records after the snapshot.
func (s *Snapshots) Load(ctx context.Context, key string) (snap snapshot, found bool, err error) {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", s.brokers[0])
	if err != nil {
		return snap, false, fmt.Errorf("loading snapshot %s: %w", key, err)
	}
	parts, err := conn.ReadPartitions(s.topic)
	conn.Close()
	if err != nil || len(parts) == 0 {
		return snap, false, fmt.Errorf("loading snapshot %s: listing partitions of %s: %w", key, s.topic, err)
	}
	ids := make([]int, len(parts))
	for i, p := range parts {
		ids[i] = p.ID
	}
	slices.Sort(ids)
	pid := byInputPartition{}.Balance(kafka.Message{Key: []byte(key)}, ids...)
	var leader kafka.Broker
	for _, p := range parts {
		if p.ID == pid {
			leader = p.Leader
		}
	}
	lc, err := kafka.DialLeader(ctx, "tcp", net.JoinHostPort(leader.Host, strconv.Itoa(leader.Port)), s.topic, pid)
	if err != nil {
		return snap, false, fmt.Errorf("loading snapshot %s: %w", key, err)
	}
	first, end, err := lc.ReadOffsets()
	lc.Close()
	if err != nil {
		return snap, false, fmt.Errorf("loading snapshot %s: reading offsets: %w", key, err)
	}
	for window := int64(64); ; window *= 4 {
		from := max(first, end-window)
		var last []byte
		err := readRange(ctx, s.brokers, s.topic, pid, from, end, func(m kafka.Message) {
			if string(m.Key) == key {
				last = m.Value
			}
		})
		if err != nil {
			return snap, false, fmt.Errorf("loading snapshot %s: %w", key, err)
		}
		if last != nil {
			if err := json.Unmarshal(last, &snap); err != nil {
				return snap, false, fmt.Errorf("decoding snapshot %s: %w", key, err)
			}
			return snap, true, nil
		}
		if from == first {
			return snap, false, nil
		}
		end = from
	}
}

// readBytes is the most one fetch of readRange asks for. A broker still
// returns a first record batch larger than that whole (a snapshot of up to
// bus.MaxStateBytes), so it bounds the fetch, not the record. Asking for
// bus.MaxStateBytes itself hung the replay of a partition with more than
// ~32 MB after the snapshot (a new owner taking over a busy partition): the
// embedded broker's fetch of that size never came back to kafka-go's reader,
// which timed out and asked again, forever.
const readBytes = 1 << 20

// readRange hands the records of topic/partition in [from, end) to fn. A
// compacted topic may have gaps; it stops at the first record at or past
// end.
func readRange(ctx context.Context, brokers []string, topic string, partition int, from, end int64, fn func(kafka.Message)) error {
	if from >= end {
		return nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: partition, MinBytes: 1, MaxBytes: readBytes, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		return fmt.Errorf("seeking %s/%d to %d: %w", topic, partition, from, err)
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("reading %s/%d: %w", topic, partition, err)
		}
		if m.Offset >= end {
			return nil
		}
		fn(m)
		if m.Offset >= end-1 {
			return nil
		}
	}
}

// partitionEnd returns the offset after the last record of topic/partition.
func partitionEnd(ctx context.Context, brokers []string, topic string, partition int) (first, end int64, err error) {
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return 0, 0, fmt.Errorf("dialing %s: %w", brokers[0], err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("listing partitions of %s: %w", topic, err)
	}
	for _, p := range parts {
		if p.ID != partition {
			continue
		}
		lc, err := kafka.DialLeader(ctx, "tcp", net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port)), topic, partition)
		if err != nil {
			return 0, 0, fmt.Errorf("dialing the leader of %s/%d: %w", topic, partition, err)
		}
		defer lc.Close()
		first, end, err := lc.ReadOffsets()
		if err != nil {
			return 0, 0, fmt.Errorf("reading offsets of %s/%d: %w", topic, partition, err)
		}
		return first, end, nil
	}
	return 0, 0, fmt.Errorf("%s has no partition %d", topic, partition)
}
