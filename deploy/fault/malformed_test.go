package fault

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

var repeatRE = regexp.MustCompile(`<(.)\*(\d+)>`)

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
		line = repeatRE.ReplaceAllStringFunc(line, func(m string) string {
			g := repeatRE.FindStringSubmatch(m)
			n, _ := strconv.Atoi(g[2])
			return strings.Repeat(g[1], n)
		})
		out = append(out, []byte(line))
	}
	return out
}

// The personal data the flood puts into records, and the text it gives a
// second event under an id already used.
const (
	floodPhone    = "13812345678"
	floodMasked   = "138****5678"
	floodConflict = "a second report under this id"
)

// TestMalformedFlood: a flood of malformed and hostile records written
// straight to events.raw among good events. Every bad one lands in the
// dead-letter topic once with a reason, and none is stored; every good one
// is stored once, the resends of good ones are dropped, and the phone
// numbers some good ones carry are stored masked only.
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
	badValues := map[string]bool{}
	phones, resends := 0, 0
	for i, g := 0, 0; i < good+bad; i++ {
		switch {
		case i%3 == 0 && g < good: // one good record in three
			m, ev := floodRecord(t, e, g, now)
			if g%7 == 0 { // a caller's number in the text: stored masked
				ev.Text += " 请回电" + floodPhone
				m.Value = encodeEvent(t, ev)
				phones++
			}
			batch = append(batch, m)
			if g%50 == 0 { // sent again: dropped as a resend
				ev.Received = ev.Received.Add(time.Second)
				batch = append(batch, kafka.Message{Key: m.Key, Value: encodeEvent(t, ev)})
				resends++
			}
			g++
		case i%50 == 1 && g > 0 && g < good: // the last good id again with other text: refused
			_, ev := floodRecord(t, e, g-1, now)
			ev.Text = floodConflict
			v := encodeEvent(t, ev)
			badValues[string(v)] = true
			batch = append(batch, kafka.Message{Key: []byte(ev.ID), Value: v})
		default:
			v := kinds[i%len(kinds)]
			badValues[string(v)] = true
			batch = append(batch, kafka.Message{Key: []byte(fmt.Sprintf("bad-%d", i)), Value: v})
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
		letters, repeats, reasons = e.deadLetters(ctx, badValues)
		if letters >= bad || time.Now().After(end) {
			break
		}
	}
	took := time.Since(start)
	fails := stopPipeline()
	notBad := bad - min(bad, letters)
	note := fmt.Sprintf("%d malformed or hostile records: %d dead-lettered with a reason (%d kinds of reason; %d letters filed more than once: a batch handed over again files its letters again); %d good ones resent, %d with a phone number; all handled in %.1fs (%.0f records/s); stages restarted %d times",
		bad, letters, len(reasons), repeats, resends, phones, took.Seconds(), float64(good+bad)/took.Seconds(), fails)
	r := e.storedResult(ctx, fmt.Sprintf("malformed flood (%d good among %d bad)", good, bad), int64(good), final, raw, note)
	record(t, r)
	if letters != bad {
		t.Errorf("%d malformed records, %d dead letters (%d unaccounted for); reasons: %v", bad, letters, notBad, reasons)
	}
	if repeats > 0 && fails == 0 {
		t.Errorf("%d records dead-lettered twice though no stage failed", repeats)
	}
	e.checkNothingHostileStored(ctx, phones)
}

// floodRecord returns good record n of the flood and its event.
func floodRecord(t *testing.T, e *env, n int, now time.Time) (kafka.Message, cityops.Event) {
	t.Helper()
	m, err := e.traffic.Record(n, now)
	if err != nil {
		t.Fatal(err)
	}
	var ev cityops.Event
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		t.Fatal(err)
	}
	return m, ev
}

func encodeEvent(t *testing.T, ev cityops.Event) []byte {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkNothingHostileStored checks ClickHouse: no event or incident of a
// hostile record, no text of an id used twice, no phone number unmasked in
// any text, type or device, and the masked numbers of the phones good
// records stored.
func (e *env) checkNothingHostileStored(ctx context.Context, phones int) {
	t := e.t
	db := e.s.Database()
	count := func(q string, args ...any) uint64 {
		t.Helper()
		var n uint64
		rows, err := e.s.Query(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for _, table := range []string{"events", "incidents"} {
		hostile := count(fmt.Sprintf(`SELECT count() FROM %s.%s WHERE id LIKE '%%hostile-%%' OR text = ?`, db, table), floodConflict)
		phone := count(fmt.Sprintf(`SELECT count() FROM %s.%s WHERE position(text, ?) > 0 OR position(type, ?) > 0`, db, table), floodPhone, floodPhone)
		if hostile != 0 || phone != 0 {
			t.Errorf("%s: %d rows of hostile records, %d with the phone number unmasked; want none", table, hostile, phone)
		}
	}
	if n := count(fmt.Sprintf(`SELECT count() FROM %s.events WHERE position(device_id, ?) > 0`, db), floodPhone); n != 0 {
		t.Errorf("events: %d devices with the phone number unmasked", n)
	}
	if n := count(fmt.Sprintf(`SELECT uniqExact(id) FROM %s.events WHERE id LIKE ? AND position(text, ?) > 0`, db), e.traffic.Prefix()+"%", floodMasked); n != uint64(phones) {
		t.Errorf("%d events stored with the phone number masked, want %d", n, phones)
	}
}

// namesField is the reason the processor gives an event it refuses:
// "invalid event: FIELD: why".
var namesField = regexp.MustCompile(`^invalid event: [a-z_/]+: .`)

// deadLetters counts the malformed records on the dead-letter topic, by
// reason, checking that each comes from events.raw with a reason and is one
// of the bad records (by value). The topic is at-least-once: repeats are the
// letters filed again when a stage was handed a batch again (a retry, a
// restart, a partition that failed to open and replayed its log).
func (e *env) deadLetters(ctx context.Context, bad map[string]bool) (letters, repeats int, reasons map[string]int) {
	t := e.t
	reasons = map[string]int{}
	seen := map[string]bool{}
	err := bus.ReadDeadLetters(ctx, e.brokers(), bus.TopicDLQ, func(l bus.Letter) error {
		if !bad[string(l.Value)] {
			t.Errorf("a good record was dead-lettered: %s: %s", l.Key, l.Reason)
		}
		if !namesField.MatchString(l.Reason) || l.Topic != bus.TopicEventsRaw {
			t.Errorf("dead letter %s without a reason naming a field, or without its origin: %+v", l.Key, l)
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
