package rules_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
)

// demoDir copies the demo pack to a temporary directory.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, demo.City()); err != nil {
		t.Fatal(err)
	}
	// CopyFS keeps the embedded files' read-only modes.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chmod(p, 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func classifyText(p *rules.Pack, text string) string {
	ev := cityops.Event{Source: cityops.SourceHotline, Type: "complaint", Text: text, Time: time.Now()}
	return p.Engine.Classify(rules.NewInput(&ev, p)).Category
}

func TestReloaderSwapsOnlyValidPacks(t *testing.T) {
	dir := demoDir(t)
	r, err := rules.NewReloader(dir, rules.ReloaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := r.Pack()
	if got := classifyText(first, "鸽子太多"); got != "" {
		t.Fatalf("the demo pack already knows pigeons: %q", got)
	}
	if swapped, err := r.Check(); swapped || err != nil {
		t.Fatalf("unchanged pack: swapped %v, err %v", swapped, err)
	}

	hotline := filepath.Join(dir, "rules/hotline.yaml")
	good, err := os.ReadFile(hotline)
	if err != nil {
		t.Fatal(err)
	}
	withPigeons := strings.Replace(string(good), "keywords: [垃圾,", "keywords: [鸽子, 垃圾,", 1)
	for _, step := range []struct {
		name    string
		content string
		swapped bool
		wantErr string
		pigeons string // the category of a pigeon complaint afterwards
	}{
		{"a valid change is swapped in", withPigeons, true, "", "06010"},
		{"a bad change keeps the running pack", withPigeons + "      - id: broken\n        when: value >>> 1\n", false, "rules/hotline.yaml:", "06010"},
		{"the bad pack is reported once", "", false, "", "06010"},
		{"fixing it swaps again", string(good), true, "", ""},
	} {
		t.Run(step.name, func(t *testing.T) {
			if step.content != "" {
				if err := os.WriteFile(hotline, []byte(step.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			swapped, err := r.Check()
			if swapped != step.swapped {
				t.Errorf("swapped %v, want %v", swapped, step.swapped)
			}
			if (err == nil) != (step.wantErr == "") || err != nil && !strings.Contains(err.Error(), step.wantErr) {
				t.Errorf("error %v, want one saying %q", err, step.wantErr)
			}
			if got := classifyText(r.Pack(), "鸽子太多"); got != step.pigeons {
				t.Errorf("pigeons: %q, want %q", got, step.pigeons)
			}
		})
	}
}

func TestReloaderRunWhileReading(t *testing.T) {
	dir := demoDir(t)
	var mu sync.Mutex
	var swaps int
	var errs []error
	r, err := rules.NewReloader(dir, rules.ReloaderOptions{
		Interval: 5 * time.Millisecond,
		OnSwap:   func(*rules.Pack) { mu.Lock(); swaps++; mu.Unlock() },
		OnError:  func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if p := r.Pack(); p == nil || p.Engine.Rules() < 15 {
					t.Error("a reader saw no pack or a partial one")
					return
				}
			}
		})
	}
	if err := os.WriteFile(filepath.Join(dir, "departments.yaml"), []byte("- {id: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(errs)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || swaps != 0 {
		t.Errorf("got %d errors and %d swaps, want 1 and 0: %v", len(errs), swaps, errs)
	}
}
