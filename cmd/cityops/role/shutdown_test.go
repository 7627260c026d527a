package role

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/geo"
)

// TestShutdownLosesNothing streams events into the whole pipeline, sends
// the shutdown signal in the middle of the stream, and checks that the
// pipeline stops in order by itself and that every event intake accepted
// with 202 is in ClickHouse, once: intake refuses with 503 after the signal,
// and the stages behind it drain before they stop.
func TestShutdownLosesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_shutdown"}, Shutdown: ShutdownConfig{Timeout: time.Minute}})
	o := &e.o
	reg, err := o.instrument()
	if err != nil {
		t.Fatal(err)
	}
	sig, term := context.WithCancel(ctx) // what SIGTERM does to main's context
	defer term()
	done := make(chan error, 1)
	go func() { done <- runPipeline(sig, o, e.pack, e.s, reg, nil, e.log) }()
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")

	areas, err := geo.NewIndex(e.pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d2-s1")
	now := time.Now().Format(time.RFC3339)
	var (
		mu       sync.Mutex
		accepted []string
		refused  atomic.Int64
		wg       sync.WaitGroup
	)
	const posters, before = 4, 400
	for w := range posters {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("sd-%d-%d", w, i)
				body := fmt.Sprintf(`{"id":%q,"source":"hotline","type":"complaint","text":"垃圾堆了三天","lat":%v,"lon":%v,"time":"%s"}`, id, p[0], p[1], now)
				req, err := http.NewRequest(http.MethodPost, base+"/api/v1/events", bytes.NewBufferString(body))
				if err != nil {
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+roletest.IntakeSecret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusAccepted:
					mu.Lock()
					accepted = append(accepted, id)
					if len(accepted) == before {
						term()
					}
					mu.Unlock()
				case http.StatusServiceUnavailable:
					refused.Add(1)
					return
				default:
					t.Errorf("POST %s: %d", id, resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the pipeline did not stop")
	}
	if refused.Load() == 0 {
		t.Error("no request was refused with 503 after the signal")
	}
	n, err := e.s.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(accepted)) {
		t.Fatalf("ClickHouse holds %d events, intake accepted %d", n, len(accepted))
	}
	for _, id := range []string{accepted[0], accepted[len(accepted)-1]} {
		if _, err := e.s.EventByID(ctx, roletest.Scoped(id)); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	t.Logf("%d events accepted before and after the signal, all stored; %d posters refused", len(accepted), refused.Load())
}

// TestShutdownIdle runs every stage of cityops dev, lets one event pass
// through them all, and then signals: an idle pipeline has nothing to
// drain, so every stage stops gracefully, without the forced path that a
// stage waiting on a group nobody commits as would end in (it took 3/4 of
// the deadline, 22 s by default).
func TestShutdownIdle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_shutdown_idle"}, Shutdown: ShutdownConfig{Timeout: 20 * time.Second}})
	o := &e.o
	var logs roletest.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	reg, err := o.instrument()
	if err != nil {
		t.Fatal(err)
	}
	// Every stage of cityops dev, the dispatcher too.
	o.Tokens = filepath.Join(t.TempDir(), "tokens.json")
	d, err := newDispatcher(ctx, o, e.pack, DispatchFiles{Feeds: true}, reg, log.With("role", "dispatch"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sig, term := context.WithCancel(ctx)
	defer term()
	done := make(chan error, 1)
	go func() { done <- runPipeline(sig, o, e.pack, e.s, reg, d, log) }()
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")

	areas, err := geo.NewIndex(e.pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d2-s1")
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"idle-1","source":"hotline","type":"complaint","text":"垃圾堆了三天","lat":%v,"lon":%v,"time":"%s"}`,
		p[0], p[1], time.Now().Format(time.RFC3339)), http.StatusAccepted)
	roletest.WaitFor(t, time.Minute, func() error {
		_, err := e.s.EventByID(ctx, roletest.Scoped("idle-1"))
		return err
	})

	term()
	signalled := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v\n%s", err, logs.String())
		}
		t.Logf("stopped %v after the signal", time.Since(signalled).Round(time.Millisecond))
	case <-ctx.Done():
		t.Fatal("the pipeline did not stop")
	}
	if strings.Contains(logs.String(), "took too long") {
		t.Fatalf("an idle pipeline was stopped by force, a stage waited on input nobody drains:\n%s", logs.String())
	}
}
