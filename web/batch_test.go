package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// TestWriteQueueBatches writes the same three queued messages to a client
// that asked for batches and to one that did not, over real connections:
// one frame of three lines, or three frames.
func TestWriteQueueBatches(t *testing.T) {
	for _, tc := range []struct {
		batch  bool
		frames int
	}{{true, 1}, {false, 3}} {
		m, err := newMetrics(prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		msgs := []string{`{"type":"upsert","n":1}`, `{"type":"remove","n":2}`, `{"type":"upsert","n":3}`}
		done := make(chan error, 1)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				done <- err
				return
			}
			cl := newClient(conn, m, newHexes(), 10, View{Role: RoleCenter})
			wk := &work{batch: tc.batch}
			for i, s := range msgs {
				sh, err := newShared([]byte(s))
				if err != nil {
					done <- err
					return
				}
				wk.queue = append(wk.queue, queued{id: string(rune('a' + i)), msg: sh, st: stamp{at: time.Now()}})
			}
			done <- cl.write(wk)
		}))
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var got []string
		for frames := 1; len(got) < len(msgs); frames++ {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, frame, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("batch=%v: reading frame %d: %v", tc.batch, frames, err)
			}
			for line := range strings.SplitSeq(string(frame), "\n") {
				if !json.Valid([]byte(line)) {
					t.Fatalf("batch=%v: line %q is not a JSON message", tc.batch, line)
				}
				got = append(got, line)
			}
			if len(got) == len(msgs) && frames != tc.frames {
				t.Errorf("batch=%v: %d frames, want %d", tc.batch, frames, tc.frames)
			}
		}
		if strings.Join(got, "|") != strings.Join(msgs, "|") {
			t.Errorf("batch=%v: got %v, want %v in order", tc.batch, got, msgs)
		}
		c.Close()
		ts.Close()
	}
}
