package rules

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Reloader keeps the pack of a directory current. It polls the directory
// for changes; a changed pack is loaded and checked in full, and swapped in
// atomically only when it is valid, so a bad edit never replaces a good pack
// that is running. Callers take Pack() once per event or batch and use that
// pack throughout: no event is lost or processed twice by a swap, each is
// decided wholly by the old pack or wholly by the new one.
type Reloader struct {
	dir  string
	opt  ReloaderOptions
	cur  atomic.Pointer[Pack]
	mu   sync.Mutex // serialises Check
	last [sha256.Size]byte
}

// ReloaderOptions say how often to look and whom to tell.
type ReloaderOptions struct {
	Interval time.Duration   // between polls (default 2s)
	OnSwap   func(p *Pack)   // called after a new pack is swapped in
	OnError  func(err error) // called when a changed pack does not load; the old one stays
}

// NewReloader loads the pack in dir, which must be valid.
func NewReloader(dir string, opt ReloaderOptions) (*Reloader, error) {
	if opt.Interval <= 0 {
		opt.Interval = 2 * time.Second
	}
	r := &Reloader{dir: dir, opt: opt}
	sum, err := dirSum(dir)
	if err != nil {
		return nil, err
	}
	p, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("loading pack %s: %w", dir, err)
	}
	r.cur.Store(p)
	r.last = sum
	return r, nil
}

// Pack returns the current pack.
func (r *Reloader) Pack() *Pack { return r.cur.Load() }

// Check looks at the directory once. It returns swapped=true when a changed,
// valid pack was swapped in, and the load error when a changed pack is bad
// (the current pack stays). An unchanged directory returns false, nil; a bad
// pack is reported once, not at every poll.
func (r *Reloader) Check() (swapped bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sum, err := dirSum(r.dir)
	if err != nil {
		return false, err
	}
	if sum == r.last {
		return false, nil
	}
	r.last = sum
	p, err := Load(os.DirFS(r.dir))
	if err != nil {
		return false, fmt.Errorf("reloading pack %s: %w", r.dir, err)
	}
	r.cur.Store(p)
	return true, nil
}

// Run polls until ctx is done, reporting swaps and errors to the options'
// callbacks.
func (r *Reloader) Run(ctx context.Context) error {
	t := time.NewTicker(r.opt.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		swapped, err := r.Check()
		switch {
		case err != nil && r.opt.OnError != nil:
			r.opt.OnError(err)
		case swapped && r.opt.OnSwap != nil:
			r.opt.OnSwap(r.Pack())
		}
	}
}

// dirSum hashes the names and contents of every file under dir. Packs are
// small, so hashing the contents costs little and catches edits that keep a
// file's size and time.
func dirSum(dir string) ([sha256.Size]byte, error) {
	h := sha256.New()
	fsys := os.DirFS(dir)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", p)
		_, err = io.Copy(h, f)
		return err
	})
	var sum [sha256.Size]byte
	if err != nil {
		return sum, fmt.Errorf("reading pack %s: %w", dir, err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
