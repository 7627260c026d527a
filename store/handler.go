package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// Handler returns the bus.Handler of the incidents.changes consumer. Each
// record's value is a JSON cityops.Change. A record that does not decode, or
// whose change is invalid (no incident id; an event without an id; a severity
// or a time that its column cannot hold), goes to dlq with the reason, which
// matches cityops.ErrInvalid, and is not stored. The others are stored with
// one InsertChanges. dlq returns nil once the record is safely on the
// dead-letter topic.
//
// The insert runs first, and an insert error is returned as it is, so that the
// consumer retries the batch and commits nothing; dead-lettering happens only
// after the insert succeeded, and an error from dlq is returned too. A retried
// batch can thus send a bad record to dlq more than once: the dead-letter topic
// is at-least-once like everything else. dlq must not be nil.
func (s *Store) Handler(dlq func(ctx context.Context, m kafka.Message, reason error) error) bus.Handler {
	if dlq == nil {
		panic("store.Handler: nil dead-letter func")
	}
	return func(ctx context.Context, batch []kafka.Message) error {
		decoded, errs := decodeAll(batch)
		changes := make([]cityops.Change, 0, len(batch))
		type rejected struct {
			m      kafka.Message
			reason error
		}
		var bad []rejected
		for i, m := range batch {
			if errs[i] != nil {
				bad = append(bad, rejected{m, errs[i]})
				continue
			}
			changes = append(changes, decoded[i])
		}
		if err := s.InsertChanges(ctx, changes); err != nil {
			return err
		}
		for _, r := range bad {
			if err := dlq(ctx, r.m, r.reason); err != nil {
				return fmt.Errorf("dead-lettering record %s/%d@%d: %w", r.m.Topic, r.m.Partition, r.m.Offset, err)
			}
		}
		return nil
	}
}

// createdPrefix is how a new incident's record starts (EncodeJSON writes
// the fields in their order, kind first).
var createdPrefix = []byte(`{"kind":"` + cityops.ChangeCreated + `",`)

// SignalHandler returns the bus.Handler of the incidents.found consumer:
// Handler for the signals the processor merged into incidents (merged and
// cleared records), whose events it stores. A new incident's record, which
// incidents.changes carries too and Handler stores from there, is skipped
// undecoded.
func (s *Store) SignalHandler(dlq func(ctx context.Context, m kafka.Message, reason error) error) bus.Handler {
	h := s.Handler(dlq)
	return func(ctx context.Context, batch []kafka.Message) error {
		signals := make([]kafka.Message, 0, len(batch))
		for _, m := range batch {
			if !bytes.HasPrefix(m.Value, createdPrefix) {
				signals = append(signals, m)
			}
		}
		if len(signals) == 0 {
			return nil
		}
		return h(ctx, signals)
	}
}

// decodeAll decodes the records of batch on every core: JSON decoding costs
// more than the insert. changes[i] and errs[i] belong to batch[i].
func decodeAll(batch []kafka.Message) (changes []cityops.Change, errs []error) {
	changes, errs = make([]cityops.Change, len(batch)), make([]error, len(batch))
	workers := min(runtime.GOMAXPROCS(0), (len(batch)+999)/1000)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batch); i += workers {
				changes[i], errs[i] = decodeChange(batch[i].Value)
			}
		})
	}
	wg.Wait()
	return changes, errs
}

// sinkChange is a cityops.Change as the sink reads it: without the merge
// counters, which it never stores. A merged or cleared change adds only its
// event; the dispatcher's update that follows carries the counters to the
// incident's row. A merge carries up to a hundred report ids, so not
// decoding them halves the cost of the largest records on the topic.
type sinkChange struct {
	Kind     cityops.ChangeKind `json:"kind"`
	Incident cityops.Incident   `json:"incident"`
	Event    *cityops.Event     `json:"event,omitempty"`
}

// decodeChange decodes and validates one record's value. Its errors match
// cityops.ErrInvalid. The change it returns has no Merge (sinkChange).
//
// Decoding is the sink's largest CPU cost, so it uses the json v2 decoder
// (the reference implementation of encoding/json/v2), about twice as fast as
// encoding/json on these records, with the options that make it read as
// encoding/json does (names in any case, a name twice, invalid UTF-8). A
// record it still refuses is decoded again by encoding/json, so the sink
// takes exactly what it took before, but for the merge counters, which it
// skips unread.
func decodeChange(value []byte) (cityops.Change, error) {
	var sc sinkChange
	c := cityops.Change{}
	if bus.ReadJSON(value, &sc) == nil {
		c = cityops.Change{Kind: sc.Kind, Incident: sc.Incident, Event: sc.Event}
	} else if err := json.Unmarshal(value, &c); err != nil {
		return cityops.Change{}, fmt.Errorf("decoding change: %w: %w", cityops.ErrInvalid, err)
	}
	c.Merge = nil
	if err := validate(c); err != nil {
		return cityops.Change{}, fmt.Errorf("validating change: %w", err)
	}
	return c, nil
}
