package stateful_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
)

// TestStageHotReload edits the pack of a running stage: a valid change is
// used from the next batch on, a broken one never replaces the running pack,
// and no event is lost or decided twice across the swaps.
func TestStageHotReload(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	err := fs.WalkDir(demo.City(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() {
				return os.MkdirAll(filepath.Join(dir, p), 0o755)
			}
			return err
		}
		b, err := fs.ReadFile(demo.City(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rules.NewReloader(dir, rules.ReloaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(ctx, t, 2)
	got := e.collect(ctx, t)
	st := e.start(ctx, t, r.Pack)
	defer st.halt(t)

	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	batch := func(n int) []*cityops.Event {
		var evs []*cityops.Event
		at := t0.Add(time.Duration(n) * time.Hour)
		for i := range 5 { // far apart: none merges
			evs = append(evs, &cityops.Event{ID: fmt.Sprintf("b%d-%d", n, i), Source: cityops.SourceHotline, Type: "complaint",
				Text: "garbage piled up", Lat: 30.55 + 0.02*float64(i), Lon: 117.0 + 0.02*float64(n), Time: at, Received: at})
		}
		return evs
	}
	categories := func(n int) map[string]int {
		out := map[string]int{}
		for _, c := range got.snapshot() {
			if strings.HasPrefix(c.Incident.EventID, fmt.Sprintf("b%d-", n)) {
				out[c.Incident.Category]++
			}
		}
		return out
	}
	wait := func(n, want int) {
		waitFor(ctx, t, fmt.Sprint("batch ", n), func() bool {
			total := 0
			for _, k := range categories(n) {
				total += k
			}
			return total >= want
		})
	}

	e.write(ctx, t, batch(0))
	wait(0, 5)

	// Garbage becomes a damaged road (06013): a valid edit.
	file := filepath.Join(dir, "rules", "hotline.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `category: "06010"`, `category: "06013"`, 1)
	if edited == string(b) {
		t.Fatal("the demo pack's garbage rule moved; update the test")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if swapped, err := r.Check(); !swapped || err != nil {
		t.Fatalf("valid edit: swapped %v, %v", swapped, err)
	}
	e.write(ctx, t, batch(1))
	wait(1, 5)

	// A broken edit is refused and the running pack stays.
	if err := os.WriteFile(file, []byte(edited+"\n  - id: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if swapped, err := r.Check(); swapped || err == nil {
		t.Fatalf("broken edit: swapped %v, %v", swapped, err)
	}
	e.write(ctx, t, batch(2))
	wait(2, 5)
	time.Sleep(300 * time.Millisecond)

	for n, want := range []string{"06010", "06013", "06013"} {
		if c := categories(n); len(c) != 1 || c[want] != 5 {
			t.Errorf("batch %d: categories %v, want 5 of %s and nothing else", n, c, want)
		}
	}
}
