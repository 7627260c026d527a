package role

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

// TestSinkSettlesQuietMonths runs the sink's settle loop against a real
// ClickHouse: a month written in two inserts holds two parts (repeats
// possible, read with FINAL) until the loop merges it into one.
func TestSinkSettlesQuietMonths(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: chtest.Start(t), Database: "cityops_settle"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	for i := range 2 { // two inserts, two parts in March
		ev := &cityops.Event{ID: "settle-" + string(rune('a'+i)), Source: cityops.SourceHotline, Type: "noise", Time: at, Received: at, Lat: 31.2, Lon: 121.4}
		inc := cityops.Incident{ID: "INC-" + ev.ID, EventID: ev.ID, Source: ev.Source, Status: cityops.StatusReported, Reported: at, Updated: at, Version: 1}
		if err := s.InsertChanges(ctx, []cityops.Change{{Kind: cityops.ChangeCreated, Incident: inc, Event: ev}}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.Parts(ctx, "incidents")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Unsettled[202603] {
		t.Fatalf("March before the loop: %+v, want unsettled", p)
	}

	loopCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- settleLoop(loopCtx, s, time.Hour, 0, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	for {
		p, err = s.Parts(ctx, "incidents")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.Settled[202603]; ok {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("March never settled: %+v", p)
		case <-time.After(100 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("settle loop ended with %v, want nil on shutdown", err)
	}
}
