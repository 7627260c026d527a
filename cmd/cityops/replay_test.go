package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/segmentio/kafka-go"
)

// TestReplayAndDLQCommands replays the NYC 311 sample onto an embedded
// broker with NYC's extent, then files a dead letter and lists and replays it.
func TestReplayAndDLQCommands(t *testing.T) {
	realdata.Require(t) // it replays NYC 311 requests
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start("127.0.0.1:0", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kafkaFlag := []string{"--kafka", b.Addr(), "--partitions", "1"}
	if err := bus.EnsureTopics(ctx, []string{b.Addr()}, 1, bus.TopicDLQ, bus.TopicReadingsRaw); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := append([]string{"replay", realdata.Path(t, "nyc311/nyc311_dev.csv"), "--format", "nyc311",
		"--extent", realdata.Path(t, "geo/nyc/boroughs.geojson"), "--extent-id", "BoroCode"}, kafkaFlag...)
	if code := run(ctx, args, &out, &errOut); code != 0 {
		t.Fatalf("replay exited %d: %s", code, errOut.String())
	}
	// The 9 rows closed before they were created are kept, as warnings.
	for _, want := range []string{"6978 rows, 6492 sent, 6492 accepted, 486 rejected", "data-quality warnings (rows kept and sent): 9", "closed_date", "latitude"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("replay summary lacks %q:\n%s", want, out.String())
		}
	}
	// stderr is no terminal here: progress comes as plain lines, no bar.
	if !strings.Contains(errOut.String(), "replay: 6978/6978 rows\n") || strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress off a terminal: %q", errOut.String())
	}

	dlq := bus.NewWriter([]string{b.Addr()}, bus.TopicDLQ)
	defer dlq.Close()
	const letters = 2500
	orig := make([]kafka.Message, letters)
	filed := make([]kafka.Message, letters)
	for i := range orig {
		orig[i] = kafka.Message{Topic: bus.TopicReadingsRaw, Partition: 0, Offset: int64(7 + i), Key: []byte("k"), Value: fmt.Appendf(nil, `{"device_id":"water-%03d"}`, i)}
		filed[i] = bus.DeadLetterRecord(orig[i], errors.New("time: required"))
	}
	if err := dlq.WriteMessages(ctx, filed...); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, append([]string{"dlq", "list", "--limit", "1"}, kafkaFlag...), &out, &errOut); code != 0 {
		t.Fatalf("dlq list exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "reason: time: required") || !strings.Contains(out.String(), `{"device_id":"water-000"}`) || !strings.Contains(out.String(), "1 dead letters shown") {
		t.Errorf("dlq list:\n%s", out.String())
	}
	out.Reset()
	if code := run(ctx, append([]string{"dlq", "list", "--json"}, kafkaFlag...), &out, &errOut); code != 0 {
		t.Fatalf("dlq list --json exited %d: %s", code, errOut.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != letters {
		t.Errorf("dlq list --json: %d lines, want one per letter (%d):\n%s", len(lines), letters, out.String())
	} else {
		var l struct {
			Topic, Reason string
			Value         struct {
				DeviceID string `json:"device_id"`
			}
		}
		if err := json.Unmarshal([]byte(lines[0]), &l); err != nil || l.Topic != bus.TopicReadingsRaw || l.Reason != "time: required" || l.Value.DeviceID != "water-000" {
			t.Errorf("dlq list --json: %s: %+v %v", lines[0], l, err)
		}
	}
	out.Reset()
	if code := run(ctx, append([]string{"dlq", "replay", "--dry-run"}, kafkaFlag...), &out, &errOut); code != 0 {
		t.Fatalf("dlq replay --dry-run exited %d: %s", code, errOut.String())
	}
	if s := out.String(); strings.Contains(s, "replayed") || !strings.Contains(s, fmt.Sprintf("would replay %d dead letters", letters)) {
		t.Errorf("dlq replay --dry-run: %s", s)
	}
	out.Reset()
	if code := run(ctx, append([]string{"dlq", "replay"}, kafkaFlag...), &out, &errOut); code != 0 {
		t.Fatalf("dlq replay exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("replayed %d dead letters", letters)) {
		t.Errorf("dlq replay: %s", out.String())
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: bus.TopicReadingsRaw, Partition: 0})
	defer r.Close()
	for i := range orig {
		m, err := r.ReadMessage(ctx)
		if err != nil || string(m.Value) != string(orig[i].Value) {
			t.Fatalf("readings topic record %d: got %q, %v; want %q", i, m.Value, err, orig[i].Value)
		}
	}
}
