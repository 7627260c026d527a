package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// options are the settings the roles share.
type options struct {
	kafka      string // comma-separated brokers
	partitions int
	session    time.Duration // consumer group session timeout of the stateful roles
	clickhouse string
	database   string
	http       string
	pack       string // pack directory; empty for the demo city
	intake     intakeOptions
	admin      string        // listen address of /healthz, /readyz and /metrics of roles without HTTP
	shutdown   time.Duration // deadline of a graceful shutdown
	logLevel   string
	// publicMinCount is the public live map's k (web.public_min_count).
	publicMinCount int
	tokens         string // tokens.json of the task API, which also opens the live map's views and the history API
	// cooperating returns the departments cooperating on an incident, from
	// the dispatcher of this process when there is one: the history API
	// shows them its audit trail. Nil knows none.
	cooperating func(ctx context.Context, incidentID string) []string
	// clusterSecret (hex) signs what dispatch replicas send each other, and
	// the citizens' Open311 ratings intake hands to them.
	clusterSecret string
	// feedbackTasks are the dispatchers' base URLs (comma-separated) that
	// take citizens' Open311 ratings; empty: the endpoint takes none.
	feedbackTasks string
	verbose       bool
	hooks         stageHooks // metrics and the intake gate of this process
}

func (o *options) brokers() []string { return strings.Split(o.kafka, ",") }

// openStore connects to the ClickHouse database the options name.
func (o *options) openStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.Options{Addr: o.clickhouse, Database: o.database})
}

// newFlags returns a flag set for command name with the given shared options
// registered on it.
func newFlags(name string, stderr io.Writer, o *options, which ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("cityops "+name, flag.ContinueOnError)
	def := defaultConfig()
	fs.SetOutput(stderr)
	for _, w := range which {
		switch w {
		case "kafka":
			fs.StringVar(&o.kafka, "kafka", "127.0.0.1:9092", "Kafka brokers, comma-separated host:port")
			fs.IntVar(&o.partitions, "partitions", def.Kafka.Partitions, "partitions of the topics created at start")
			fs.DurationVar(&o.session, "session", def.Kafka.SessionTimeout, "consumer group session timeout of the process role: how long a dead replica keeps its partitions (6s to 5m)")
		case "clickhouse":
			fs.StringVar(&o.clickhouse, "clickhouse", "127.0.0.1:9000", "ClickHouse native protocol host:port")
			fs.StringVar(&o.database, "database", store.DefaultDatabase, "ClickHouse database")
		case "http":
			fs.StringVar(&o.http, "http", ":8080", "HTTP listen address")
			o.intake.register(fs, name)
		case "pack":
			fs.StringVar(&o.pack, "pack", "", "city pack directory (default: the built-in demo city)")
		case "admin":
			fs.StringVar(&o.admin, "admin", def.Admin.Listen, "listen address of /healthz, /readyz and /metrics; empty for none")
		case "run":
			fs.DurationVar(&o.shutdown, "shutdown-timeout", def.Shutdown.Timeout, "deadline of a graceful shutdown; forced after it")
			fs.StringVar(&o.logLevel, "log-level", def.Log.Level, "debug, info, warn or error")
		}
	}
	fs.BoolVar(&o.verbose, "v", false, "log debug messages")
	return fs
}

func (o *options) logger(stderr io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(o.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	if o.verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
}

// loadPack loads the city pack named by o, or the demo city.
func (o *options) loadPack() (*rules.Pack, error) {
	var fsys fs.FS = demo.City()
	if o.pack != "" {
		fsys = os.DirFS(o.pack)
	}
	p, err := rules.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("loading pack %s: %w", o.packName(), err)
	}
	return p, nil
}

func (o *options) packName() string {
	if o.pack == "" {
		return "(demo city)"
	}
	return o.pack
}
