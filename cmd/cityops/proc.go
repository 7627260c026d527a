package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// proc is the roles one process runs: their settings, and what they share
// at run time, which no setting says.
type proc struct {
	config
	hooks stageHooks // the metrics and the intake gate of instrument
	// cooperating returns the departments cooperating on an incident, from
	// the dispatcher of this process when there is one: the history API
	// shows them its audit trail. Nil knows none.
	cooperating func(ctx context.Context, incidentID string) []string
}

func (c *config) brokers() []string { return c.Kafka.Brokers }

// openStore connects to the ClickHouse database c names.
func (c *config) openStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.Options{Addr: c.ClickHouse.Addr, Database: c.ClickHouse.Database})
}

// logger logs to stderr at c's level, or debug with -v.
func (c *config) logger(stderr io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	if c.Log.Verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
}

// loadPack loads the city pack c names, or the demo city.
func (c *config) loadPack() (*rules.Pack, error) {
	p, err := rules.Load(c.packFS())
	if err != nil {
		return nil, fmt.Errorf("loading pack %s: %w", c.packName(), err)
	}
	return p, nil
}

// packFS is the pack's file system, as loadPack reads it.
func (c *config) packFS() fs.FS {
	if c.Pack != "" {
		return os.DirFS(c.Pack)
	}
	return demo.City()
}

func (c *config) packName() string {
	if c.Pack == "" {
		return "(demo city)"
	}
	return c.Pack
}
