package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// OwnersTopic records which replica holds which partition of the incidents,
// so that a replica asked about a task it does not hold can name the one
// that does. It has a single partition.
const OwnersTopic = "dispatch.owners"

// OwnerRecord says that Owner, a replica's tasks API base URL, took (Held)
// or let go of a partition.
type OwnerRecord struct {
	Partition int       `json:"partition"`
	Owner     string    `json:"owner"`
	Held      bool      `json:"held"`
	Time      time.Time `json:"time"`
}

// Owners is a replica's view of who holds each partition, kept by following
// OwnersTopic. A replica that stops without letting go stays named until the
// next owner announces itself.
type Owners struct {
	self    string
	publish Publish
	mu      sync.RWMutex
	owner   map[int]string
}

// NewOwners returns the view of the replica whose API is at self, which
// announces through publish, a writer of OwnersTopic.
func NewOwners(self string, publish Publish) *Owners {
	return &Owners{self: self, publish: publish, owner: map[int]string{}}
}

// Self is this replica's base URL.
func (o *Owners) Self() string { return o.self }

// Announce records that this replica now holds (or no longer holds) p.
func (o *Owners) Announce(ctx context.Context, p int, held bool) error {
	v, err := json.Marshal(OwnerRecord{Partition: p, Owner: o.self, Held: held, Time: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("encoding the owner of partition %d: %w", p, err)
	}
	if err := o.publish(ctx, kafka.Message{Key: []byte(strconv.Itoa(p)), Value: v}); err != nil {
		return fmt.Errorf("announcing the owner of partition %d: %w", p, err)
	}
	o.apply(OwnerRecord{Partition: p, Owner: o.self, Held: held})
	return nil
}

func (o *Owners) apply(r OwnerRecord) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case r.Held:
		o.owner[r.Partition] = r.Owner
	case o.owner[r.Partition] == r.Owner:
		delete(o.owner, r.Partition)
	}
}

// Follow reads topic from its start and keeps the view current until ctx is
// done.
func (o *Owners) Follow(ctx context.Context, brokers []string, topic string) error {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return fmt.Errorf("following %s: %w", topic, err)
	}
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("following %s: %w", topic, err)
		}
		var rec OwnerRecord
		if json.Unmarshal(m.Value, &rec) == nil {
			o.apply(rec)
		}
	}
}

// Owner returns the base URL of the replica that holds p.
func (o *Owners) Owner(p int) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, ok := o.owner[p]
	return u, ok
}

// Peers returns the other replicas that hold partitions, in order.
func (o *Owners) Peers() []string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []string
	for _, u := range o.owner {
		if u != o.self && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}
