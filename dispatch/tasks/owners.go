package tasks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// OwnersTopic records which replica holds which partition of the incidents,
// so that a replica asked about a task it does not hold can name the one
// that does. It has a single partition.
const OwnersTopic = bus.TopicOwners

// OwnerRecord says that Owner, a replica's tasks API base URL, took (Held)
// or let go of a partition. MAC signs it with the replicas' cluster secret
// (see Owners), so that whoever can write to the topic without the secret
// cannot send requests about tasks to an address of its choosing.
type OwnerRecord struct {
	Partition int       `json:"partition"`
	Owner     string    `json:"owner"`
	Held      bool      `json:"held"`
	Time      time.Time `json:"time"`
	MAC       string    `json:"mac,omitempty"`
}

// mac is the hex HMAC-SHA256 with secret of the record's fields, one line
// each: "cityops-owner-v1", partition, owner, held, time in Unix nanoseconds.
func (r OwnerRecord) mac(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "cityops-owner-v1\n%d\n%s\n%t\n%d\n", r.Partition, r.Owner, r.Held, r.Time.UnixNano())
	return hex.EncodeToString(m.Sum(nil))
}

// Owners is a replica's view of who holds each partition, kept by following
// OwnersTopic. A replica that stops without letting go stays named until the
// next owner announces itself. Announcements are signed with the cluster
// secret, and one whose signature does not match is ignored.
type Owners struct {
	self    string
	secret  []byte
	publish bus.Publish
	mu      sync.RWMutex
	owner   map[int]string
	forged  int // announcements ignored
}

// NewOwners returns the view of the replica whose API is at self, which
// announces through publish, a writer of OwnersTopic, signing with secret.
func NewOwners(self string, secret []byte, publish bus.Publish) *Owners {
	return &Owners{self: self, secret: secret, publish: publish, owner: map[int]string{}}
}

// Self is this replica's base URL.
func (o *Owners) Self() string { return o.self }

// Announce records that this replica now holds (or no longer holds) p.
func (o *Owners) Announce(ctx context.Context, p int, held bool) error {
	rec := OwnerRecord{Partition: p, Owner: o.self, Held: held, Time: time.Now().UTC()}
	rec.MAC = rec.mac(o.secret)
	v, err := json.Marshal(rec)
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
		if json.Unmarshal(m.Value, &rec) != nil || !hmac.Equal([]byte(rec.MAC), []byte(rec.mac(o.secret))) {
			o.mu.Lock()
			o.forged++
			o.mu.Unlock()
			continue
		}
		o.apply(rec)
	}
}

// Forged returns how many announcements Follow ignored: not an announcement,
// or not signed with the cluster secret.
func (o *Owners) Forged() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.forged
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
