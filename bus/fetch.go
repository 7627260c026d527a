package bus

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"
)

// fetchTimeout is how long one fetch may take beyond the broker's wait
// before the connection counts as broken.
const fetchTimeout = 10 * time.Second

// fetcher reads one partition from an offset, a whole fetch at a time, and
// hands each fetch's records over as one slice, reading the next fetch
// while the consumer handles the last. kafka-go's Reader hands records over
// one by one through a channel, setting a deadline and taking a select for
// each: about a microsecond a record, a tenth of what the readings path
// spends on one. Like the Reader it retries what a broker can recover from
// (a broken connection, a moved leader, a broker restart) until its context
// is done, and reads from the partition's first record when the offset it
// was given is gone (retention deleted it).
type fetcher struct {
	brokers   []string
	topic     string
	partition int
	maxBytes  int
	maxWait   time.Duration
	log       *slog.Logger
	out       chan []kafka.Message // closed when the fetcher stops
}

// startFetcher starts fetching from offset (or kafka.FirstOffset or
// kafka.LastOffset) until ctx is done.
func startFetcher(ctx context.Context, cfg ConsumerConfig, partition int, offset int64, log *slog.Logger) *fetcher {
	f := &fetcher{brokers: cfg.Brokers, topic: cfg.Topic, partition: partition, maxBytes: 16 << 20,
		maxWait: 100 * time.Millisecond, log: log, out: make(chan []kafka.Message, 1)}
	go f.run(ctx, offset)
	return f
}

func (f *fetcher) run(ctx context.Context, offset int64) {
	defer close(f.out)
	fails := 0
	for ctx.Err() == nil {
		if fails > 0 && !sleepCtx(ctx, min(100*time.Millisecond<<min(fails-1, 6), 5*time.Second)) {
			return
		}
		conn, start, err := f.connect(ctx, offset)
		if err != nil {
			fails++
			f.log.Warn("connecting to the partition's leader", "offset", offset, "failures", fails, "err", err)
			continue
		}
		offset = start
		offset, err = f.read(ctx, conn, offset)
		conn.Close()
		if offset > start {
			fails = 0 // it read: the failure is a new one
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, kafka.OffsetOutOfRange):
			fails = 1 // the next connect finds where the partition starts or ends now
		default:
			fails++
			f.log.Warn("fetching, reconnecting", "offset", offset, "failures", fails, "err", err)
		}
	}
}

// connect dials the partition's leader through the first broker that
// answers and seeks to offset, moved to the partition's first record when
// it is before it.
func (f *fetcher) connect(ctx context.Context, offset int64) (*kafka.Conn, int64, error) {
	var err error
	for _, b := range f.brokers {
		var conn *kafka.Conn
		if conn, err = kafka.DialLeader(ctx, "tcp", b, f.topic, f.partition); err != nil {
			continue
		}
		var first, last int64
		conn.SetDeadline(time.Now().Add(fetchTimeout))
		if first, last, err = conn.ReadOffsets(); err != nil {
			conn.Close()
			continue
		}
		conn.SetDeadline(time.Time{})
		switch {
		case offset == kafka.FirstOffset:
			offset = first
		case offset == kafka.LastOffset:
			offset = last
		case offset < first:
			f.log.Warn("the offset is gone from the partition, reading from its first record", "offset", offset, "first", first, "skipped", first-offset)
			offset = first
		}
		if _, err = conn.Seek(offset, kafka.SeekAbsolute); err != nil {
			conn.Close()
			continue
		}
		return conn, offset, nil
	}
	if err == nil {
		err = errors.New("no broker to connect to")
	}
	return nil, offset, err
}

// read fetches from conn until a fetch fails or ctx is done, and returns
// the offset to go on from.
func (f *fetcher) read(ctx context.Context, conn *kafka.Conn, offset int64) (int64, error) {
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	size := 0 // the last fetch's records: the next is likely as large
	for {
		conn.SetReadDeadline(time.Now().Add(f.maxWait + fetchTimeout))
		batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: f.maxBytes, MaxWait: f.maxWait})
		msgs := make([]kafka.Message, 0, size)
		var err error
		for {
			var m kafka.Message
			if m, err = batch.ReadMessage(); err != nil {
				break
			}
			msgs = append(msgs, m)
		}
		if cerr := batch.Close(); err == nil || errors.Is(err, io.EOF) {
			err = cerr
		}
		if len(msgs) > 0 {
			size = len(msgs)
			offset = msgs[len(msgs)-1].Offset + 1
			select {
			case f.out <- msgs:
			case <-ctx.Done():
				return offset, ctx.Err()
			}
		}
		switch {
		case err == nil, errors.Is(err, kafka.RequestTimedOut):
			// The fetch is over: the next one.
		default:
			return offset, err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
