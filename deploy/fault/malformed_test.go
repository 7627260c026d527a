package fault

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/ingest/bus"
	"github.com/segmentio/kafka-go"
)

// readMalformed reads testdata/malformed.txt.
func readMalformed(t *testing.T) [][]byte {
	t.Helper()
	b, err := os.ReadFile("testdata/malformed.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.Contains(line, `\x`) {
			u, err := strconv.Unquote(`"` + strings.ReplaceAll(line, `"`, `\"`) + `"`)
			if err != nil {
				t.Fatalf("decoding %q: %v", line, err)
			}
			line = u
		}
		out = append(out, []byte(line))
	}
	return out
}

// TestMalformedFlood: a flood of malformed records among good events. Every
// bad one lands in the dead-letter topic with a reason; every good one is
// stored once.
func TestMalformedFlood(t *testing.T) {
	good, bad := 3_000, 6_000
	if *full {
		good, bad = 20_000, 40_000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	stopPipeline := e.runPipeline(ctx)

	kinds := readMalformed(t)
	w := bus.NewWriter(e.brokers(), bus.TopicEventsRaw)
	defer w.Close()
	now := time.Now()
	start := now
	var batch []kafka.Message
	for i, g := 0, 0; i < good+bad; i++ {
		if i%3 == 0 && g < good { // one good record in three
			m, err := e.traffic.Record(g, now)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, m)
			g++
		} else {
			batch = append(batch, kafka.Message{Key: []byte(fmt.Sprintf("bad-%d", i)), Value: kinds[i%len(kinds)]})
		}
		if len(batch) == 1000 || i == good+bad-1 {
			if err := w.WriteMessages(ctx, batch...); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	final, raw := e.waitStored(ctx, int64(good), 5*time.Minute)
	var letters, repeats int
	var reasons map[string]int
	for end := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		letters, repeats, reasons = e.deadLetters(ctx)
		if letters >= bad || time.Now().After(end) {
			break
		}
	}
	took := time.Since(start)
	fails := stopPipeline()
	notBad := bad - min(bad, letters)
	note := fmt.Sprintf("%d malformed records: %d dead-lettered with a reason (%d kinds of reason; %d letters filed more than once: a batch handed over again files its letters again); all handled in %.1fs (%.0f records/s); stages restarted %d times",
		bad, letters, len(reasons), repeats, took.Seconds(), float64(good+bad)/took.Seconds(), fails)
	r := e.storedResult(ctx, fmt.Sprintf("malformed flood (%d good among %d bad)", good, bad), int64(good), final, raw, note)
	record(t, r)
	if letters != bad {
		t.Errorf("%d malformed records, %d dead letters (%d unaccounted for); reasons: %v", bad, letters, notBad, reasons)
	}
}

// deadLetters counts the malformed records on the dead-letter topic, by
// reason, checking that each comes from events.raw with a reason and is one
// of the malformed records. The topic is at-least-once: repeats are the
// letters filed again when a stage was handed a batch again (a retry, a
// restart, a partition that failed to open and replayed its log).
func (e *env) deadLetters(ctx context.Context) (letters, repeats int, reasons map[string]int) {
	t := e.t
	reasons = map[string]int{}
	seen := map[string]bool{}
	err := bus.ReadDeadLetters(ctx, e.brokers(), bus.TopicDLQ, func(l bus.Letter) error {
		if !strings.HasPrefix(string(l.Key), "bad-") {
			t.Errorf("a good record was dead-lettered: %s: %s", l.Key, l.Reason)
		}
		if l.Reason == "" || l.Topic != bus.TopicEventsRaw {
			t.Errorf("dead letter %s without a reason or origin: %+v", l.Key, l)
		}
		if seen[string(l.Key)] {
			repeats++
			return nil
		}
		seen[string(l.Key)] = true
		letters++
		reasons[firstWords(l.Reason)]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return letters, repeats, reasons
}

// firstWords groups reasons by their opening words.
func firstWords(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(3, len(f))], " ")
}
