package role

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/web"
)

// Config is every setting of the roles: the one configuration file of
// every role, and the few settings only flags give. cmd/cityops fills it in
// this order, each overriding the one before: the defaults of Defaults, the
// file given with --config, the CITYOPS_* environment variables, and the
// command-line flags; it validates the result once, before a role starts.
type Config struct {
	Kafka      KafkaConfig      `yaml:"kafka"`
	ClickHouse ClickHouseConfig `yaml:"clickhouse"`
	HTTP       ListenConfig     `yaml:"http"`
	Admin      ListenConfig     `yaml:"admin"`
	Pack       string           `yaml:"pack"`
	Intake     IntakeConfig     `yaml:"intake"`
	Dispatch   DispatchConfig   `yaml:"dispatch"`
	Web        WebConfig        `yaml:"web"`
	Shutdown   ShutdownConfig   `yaml:"shutdown"`
	Log        LogConfig        `yaml:"log"`

	// The settings below are given by flags only, never by the file.

	// Tokens is the dispatch role's tokens.json: the tasks API's, which
	// also open the live map's views and the history API.
	Tokens string `yaml:"-"`
	// Tasks are the base URLs of the dispatchers' tasks API,
	// comma-separated: a web server serves them on its origin, and intake
	// hands citizens' Open311 ratings to them. Empty: neither.
	Tasks string `yaml:"-"`
}

// KafkaConfig are the brokers and the topics' and groups' settings.
type KafkaConfig struct {
	Brokers    []string `yaml:"brokers"`
	Partitions int      `yaml:"partitions"`
	// SessionTimeout is how long the process role's consumer groups wait
	// for a replica that stopped answering before its partitions move.
	SessionTimeout time.Duration `yaml:"session_timeout"`
}

// ClickHouseConfig is the ClickHouse server and database.
type ClickHouseConfig struct {
	Addr     string `yaml:"addr"`
	Database string `yaml:"database"`
}

// ListenConfig is an address to serve on.
type ListenConfig struct {
	Listen string `yaml:"listen"`
}

// IntakeConfig are intake's credentials: who may write, and who may read callers.
type IntakeConfig struct {
	// Keys are the senders of /api/v1/events and /api/v1/readings, each
	// name=key[;sources=hotline,iot][;devices=d1,d2] (ingest.ParseKey).
	Keys      []string `yaml:"keys"`
	APIKeys   []string `yaml:"api_keys"`
	CallerKey string   `yaml:"caller_key"`
	Officers  []string `yaml:"officers"`
}

// WebConfig are the live map's settings.
type WebConfig struct {
	// PublicMinCount is the k of the public live map: a cell counting fewer
	// incidents is not shown to a client without a token.
	PublicMinCount int `yaml:"public_min_count"`
}

// DispatchConfig are the dispatch replicas' settings.
type DispatchConfig struct {
	ClusterSecret string `yaml:"cluster_secret"`
}

// ShutdownConfig is the graceful shutdown's deadline.
type ShutdownConfig struct {
	Timeout time.Duration `yaml:"timeout"`
}

// LogConfig is what the roles log.
type LogConfig struct {
	Level string `yaml:"level"`
	// Verbose (-v) logs debug messages whatever Level says.
	Verbose bool `yaml:"-"`
}

// Defaults returns the settings used where neither the file, the
// environment nor a flag says otherwise.
func Defaults() Config {
	return Config{
		Kafka:      KafkaConfig{Brokers: []string{"127.0.0.1:9092"}, Partitions: 4, SessionTimeout: 10 * time.Second},
		ClickHouse: ClickHouseConfig{Addr: "127.0.0.1:9000", Database: store.DefaultDatabase},
		HTTP:       ListenConfig{Listen: ":8080"},
		Admin:      ListenConfig{Listen: ":8090"},
		Intake:     IntakeConfig{Keys: []string{}, APIKeys: []string{}, Officers: []string{}},
		Web:        WebConfig{PublicMinCount: web.DefaultPublicMinCount},
		Shutdown:   ShutdownConfig{Timeout: 30 * time.Second},
		Log:        LogConfig{Level: "info"},
		Tokens:     "./.cityops/tokens.json",
	}
}

// Brokers are the Kafka brokers c names.
func (c *Config) Brokers() []string { return c.Kafka.Brokers }

// OpenStore connects to the ClickHouse database c names.
func (c *Config) OpenStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.Options{Addr: c.ClickHouse.Addr, Database: c.ClickHouse.Database})
}

// Logger logs to stderr at c's level, or debug with -v.
func (c *Config) Logger(stderr io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	if c.Log.Verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
}

// LoadPack loads the city pack c names, or the demo city.
func (c *Config) LoadPack() (*rules.Pack, error) {
	p, err := rules.Load(c.PackFS())
	if err != nil {
		return nil, fmt.Errorf("loading pack %s: %w", c.packName(), err)
	}
	return p, nil
}

// PackFS is the pack's file system, as LoadPack reads it.
func (c *Config) PackFS() fs.FS {
	if c.Pack != "" {
		return os.DirFS(c.Pack)
	}
	return demo.City()
}

func (c *Config) packName() string {
	if c.Pack == "" {
		return "(demo city)"
	}
	return c.Pack
}
