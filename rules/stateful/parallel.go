package stateful

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// A stage's state moves one record at a time, but decoding its input and
// encoding its output are pure: a batch decodes on every core before it is
// applied, and the merge stage's changes encode on every core before they
// are published. A hot merge group is one partition's load, and this is
// what lets it use more than one core.

// parallel runs fn(i) for every i in [0, n), on up to GOMAXPROCS goroutines
// when n is large enough to pay for them.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// decoded is a batch's input records decoded ahead of apply.
type decoded[T any] struct {
	vals []T
	errs []error
}

// decodeBatch decodes every record of batch, in parallel.
func (d *decoded[T]) decodeBatch(batch []kafka.Message) {
	d.vals = append(d.vals[:0], make([]T, len(batch))...)
	d.errs = append(d.errs[:0], make([]error, len(batch))...)
	parallel(len(batch), func(i int) { d.errs[i] = bus.DecodeJSON(batch[i].Value, &d.vals[i]) })
}

// lazyChange is a change emitted but not encoded yet: its record's value is
// filled in by outputs.encode.
type lazyChange struct {
	topic string
	at    int // index in byTopic[topic]
	c     *cityops.Change
	// also is a second topic the same record goes to, "" for none, at
	// index alsoAt: encoded once, sent twice.
	also   string
	alsoAt int
}

// addLazyChange appends the record of change c, to be encoded by encode. c
// must not change afterwards.
func (o *outputs) addLazyChange(topic string, c *cityops.Change) {
	o.add(topic, kafka.Message{Key: []byte(c.Incident.ID)})
	o.lazy = append(o.lazy, lazyChange{topic: topic, at: len(o.byTopic[topic]) - 1, c: c})
}

// emitChange appends the records of change c to the topics of t it belongs
// on: a new incident to Changes, the incidents' state, and to Found, the
// dispatcher's input; a merged or cleared signal, which is not the
// incident's state, to Found alone (to Changes when t has no Found).
func (o *outputs) emitChange(t Topics, c *cityops.Change) {
	switch {
	case t.Found == "":
		o.addLazyChange(t.Changes, c)
	case c.Kind == cityops.ChangeMerged || c.Kind == cityops.ChangeCleared:
		o.addLazyChange(t.Found, c)
	default:
		o.addLazyChange(t.Changes, c)
		o.add(t.Found, kafka.Message{Key: []byte(c.Incident.ID)})
		l := &o.lazy[len(o.lazy)-1]
		l.also, l.alsoAt = t.Found, len(o.byTopic[t.Found])-1
	}
}

// encode encodes the changes added by addLazyChange, in parallel. On an
// error they stay to be encoded.
func (o *outputs) encode() error {
	if len(o.lazy) == 0 {
		return nil
	}
	errs := make([]error, len(o.lazy))
	parallel(len(o.lazy), func(i int) {
		l := o.lazy[i]
		v, err := bus.EncodeJSON(l.c)
		if err != nil {
			errs[i] = fmt.Errorf("encoding change of %s: %w", l.c.Incident.ID, err)
			return
		}
		o.byTopic[l.topic][l.at].Value = v
		if l.also != "" {
			o.byTopic[l.also][l.alsoAt].Value = v
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	clear(o.lazy)
	o.lazy = o.lazy[:0]
	return nil
}
