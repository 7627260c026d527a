package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cityops/cityops"
)

// DefaultDatabase is the database the tables live in unless Options say
// otherwise.
const DefaultDatabase = "cityops"

// Options say which server to use and how.
type Options struct {
	Addr        string // host:port of the native protocol, e.g. "127.0.0.1:9000"
	Database    string // database holding the tables; DefaultDatabase when empty
	Username    string // "default" when empty
	Password    string
	DialTimeout time.Duration // 10s when zero
	MaxConns    int           // most open connections; 8 when zero
}

// Store is a connection pool to one ClickHouse server and the database that
// holds the platform's tables. It is safe for concurrent use.
type Store struct {
	conn driver.Conn
	db   string

	mu            sync.Mutex
	lastInsertErr error // how the last insert ended; see Ready
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validDatabase reports whether name can be used unquoted as a database name.
func validDatabase(name string) error {
	if !identRe.MatchString(name) {
		return cityops.Invalid("database", "%q: want letters, digits and underscores, not starting with a digit", name)
	}
	return nil
}

// Open connects to the server at opts.Addr and checks that it answers. The
// database need not exist yet: every statement names it, and Migrate creates
// it.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Addr == "" {
		return nil, errors.New("opening store: no address given")
	}
	if opts.Database == "" {
		opts.Database = DefaultDatabase
	}
	if err := validDatabase(opts.Database); err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 10 * time.Second
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:         []string{opts.Addr},
		Protocol:     clickhouse.Native,
		Auth:         clickhouse.Auth{Database: "default", Username: opts.Username, Password: opts.Password},
		DialTimeout:  opts.DialTimeout,
		MaxOpenConns: opts.MaxConns,
		MaxIdleConns: opts.MaxConns,
		Compression:  &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("opening store at %s: %w", opts.Addr, err)
	}
	s := &Store{conn: conn, db: opts.Database}
	if err := s.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("opening store at %s: %w", opts.Addr, err)
	}
	return s, nil
}

// Database returns the name of the database that holds the tables.
func (s *Store) Database() string { return s.db }

// Ping checks that the server answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conn.Ping(ctx); err != nil {
		return fmt.Errorf("pinging clickhouse: %w", err)
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("closing store: %w", err)
	}
	return nil
}
