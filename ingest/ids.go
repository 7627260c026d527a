package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// ContentHash is the hash of what an event says, without its id and the
// time intake received it: two sends of one event have the same hash, and
// a resend that changes anything has another. Intake keeps it by stored id
// (IDs) to tell an idempotent resend from a conflicting one.
func ContentHash(ev cityops.Event) string {
	h := sha256.New()
	str := func(s string) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	num := func(f float64) {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], math.Float64bits(f))
		h.Write(b[:])
	}
	str(string(ev.Source))
	str(ev.Type)
	str(ev.Text)
	num(ev.Lat)
	num(ev.Lon)
	str(ev.Time.UTC().Format(time.RFC3339Nano))
	if ev.Value != nil {
		str("v")
		num(*ev.Value)
	} else {
		str("")
	}
	str(ev.Unit)
	str(ev.DeviceID)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Claim is what IDs knows of an id a sender uses.
type Claim int

const (
	ClaimNew      Claim = iota // never seen: publish it
	ClaimSame                  // seen with the same content: answer as before, do not store again
	ClaimConflict              // seen with other content: 409
)

// MaxIDs is how many ids IDs keeps by default: the newest ones. An id older
// than that is forgotten, and a resend of it is taken as new.
const MaxIDs = 500_000

// IDs is intake's memory of the ids it stored and their content hashes,
// shared by intake replicas and kept over restarts through a compacted
// topic (bus.TopicIntakeIDs) keyed by id. It keeps the newest max ids. A nil
// *IDs remembers nothing: every id is new. It is safe for concurrent use.
type IDs struct {
	max   int
	mu    sync.Mutex
	m     map[string]idEntry
	order []string // ring of ids in the order they were added
	next  int      // the slot of order to reuse next, once it is full
	ready chan struct{}
	once  sync.Once
}

// idEntry is an id's content hash and its slot in the ring: a slot reused
// forgets its id only if the id still lives there (not when it was
// released and claimed again since).
type idEntry struct {
	hash [16]byte
	slot int32
}

// hashKey is a content hash as the memory keeps it: 16 bytes, the hash
// itself when it is ContentHash's 32 hex digits (half the memory of the
// text), else a digest of it.
func hashKey(h string) [16]byte {
	var k [16]byte
	if len(h) == 32 {
		if _, err := hex.Decode(k[:], []byte(h)); err == nil {
			return k
		}
	}
	sum := sha256.Sum256([]byte(h))
	copy(k[:], sum[:])
	return k
}

// MaxWait is how long a request waits for the id memory to load before it
// is answered 503 with Retry-After.
const MaxWait = 10 * time.Second

// NewIDs returns an empty memory of up to max ids (MaxIDs when max <= 0).
// It is not ready until MarkReady; LoadIDs marks it once the topic is read.
func NewIDs(max int) *IDs {
	if max <= 0 {
		max = MaxIDs
	}
	return &IDs{max: max, m: map[string]idEntry{}, ready: make(chan struct{})}
}

// MarkReady says the memory holds what the topic held at start.
func (m *IDs) MarkReady() { m.once.Do(func() { close(m.ready) }) }

// Wait returns once the memory is ready, or an error after MaxWait or when
// ctx is done.
func (m *IDs) Wait(ctx context.Context) error {
	if m == nil {
		return nil
	}
	select {
	case <-m.ready:
		return nil
	default:
	}
	t := time.NewTimer(MaxWait)
	defer t.Stop()
	select {
	case <-m.ready:
		return nil
	case <-t.C:
		return errors.New("intake's id memory is still loading; retry later")
	case <-ctx.Done():
		return fmt.Errorf("intake's id memory is still loading: %w", ctx.Err())
	}
}

// Claim records hash for id unless id is known, and says what it was.
func (m *IDs) Claim(id, hash string) Claim {
	if m == nil {
		return ClaimNew
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[id]; ok {
		if old.hash == hashKey(hash) {
			return ClaimSame
		}
		return ClaimConflict
	}
	m.add(id, hash)
	return ClaimNew
}

// Put records id with hash, as the topic has it (the newest wins).
func (m *IDs) Put(id, hash string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[id]; ok {
		e.hash = hashKey(hash)
		m.m[id] = e
		return
	}
	m.add(id, hash)
}

// Release forgets a claim whose event could not be published, so that the
// sender's retry is new again.
func (m *IDs) Release(id, hash string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[id]; ok && e.hash == hashKey(hash) {
		delete(m.m, id) // its slot in order is reused in turn
	}
}

// Len is how many ids the memory holds.
func (m *IDs) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

func (m *IDs) add(id, hash string) {
	slot := len(m.order)
	if slot < m.max {
		m.order = append(m.order, id)
	} else {
		slot = m.next
		if e, ok := m.m[m.order[slot]]; ok && int(e.slot) == slot {
			delete(m.m, m.order[slot])
		}
		m.order[slot] = id
		m.next = (m.next + 1) % m.max
	}
	m.m[id] = idEntry{hash: hashKey(hash), slot: int32(slot)}
}

// Record is the message that keeps id and its hash on the id topic.
func (m *IDs) Record(id, hash string) kafka.Message {
	return kafka.Message{Key: []byte(id), Value: []byte(hash)}
}

// LoadIDs reads every partition of topic into m from its start, marks m
// ready once each partition was read up to where it ended when loading
// began, and then keeps reading what other replicas add, until ctx is done.
func LoadIDs(ctx context.Context, brokers []string, topic string, m *IDs, log *slog.Logger) error {
	// A transport of its own: kafka-go's default one caches topic metadata
	// for the process's writers, and a list read here, before the other
	// intake topics exist, would hide them from those writers for seconds.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second, Transport: tr}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return fmt.Errorf("reading metadata of %s: %v", topic, md.Topics)
	}
	var ends []kafka.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		ends = append(ends, kafka.LastOffsetOf(p.ID))
	}
	lo, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: ends}})
	if err != nil {
		return fmt.Errorf("listing offsets of %s: %w", topic, err)
	}
	var wg sync.WaitGroup
	loaded := make(chan struct{}, len(ends))
	errs := make(chan error, len(ends))
	for _, p := range lo.Topics[topic] {
		if p.Error != nil {
			return fmt.Errorf("listing offsets of %s/%d: %w", topic, p.Partition, p.Error)
		}
		wg.Add(1)
		go func(part int, first, end int64) {
			defer wg.Done()
			errs <- tailIDs(ctx, brokers, topic, part, first, end, m, loaded)
		}(p.Partition, p.FirstOffset, p.LastOffset)
	}
	go func() {
		for range lo.Topics[topic] {
			select {
			case <-loaded:
			case <-ctx.Done():
				return
			}
		}
		m.MarkReady()
		log.Info("intake id memory loaded", "ids", m.Len())
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

// tailIDs reads one partition into m, says loaded once it has read up to
// end, and goes on reading until ctx is done.
func tailIDs(ctx context.Context, brokers []string, topic string, part int, first, end int64, m *IDs, loaded chan<- struct{}) error {
	if end <= max(first, 0) {
		loaded <- struct{}{}
		end = -1
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: brokers, Topic: topic, Partition: part,
		MinBytes: 1, MaxBytes: 4 << 20, MaxWait: 250 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return err
	}
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("reading %s/%d: %w", topic, part, err)
		}
		if len(msg.Value) > 0 {
			m.Put(string(msg.Key), string(msg.Value))
		}
		if end >= 0 && msg.Offset+1 >= end {
			loaded <- struct{}{}
			end = -1
		}
	}
}
