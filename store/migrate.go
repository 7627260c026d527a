package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Migrate creates the database and applies the migrations it has not applied
// yet, in order, recording each in the schema_migrations table. Running it
// again is a no-op.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, math.MaxUint32)
}

// migrateTo is Migrate up to and including migration last: the tests build
// a database as an older release left it, to upgrade it.
func (s *Store) migrateTo(ctx context.Context, last uint32) error {
	for _, stmt := range setupStatements(s.db) {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("migrating: creating %s and its migrations table: %w", s.db, err)
		}
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	for _, m := range migrations() {
		if applied[m.version] || m.version > last {
			continue
		}
		for i, stmt := range m.statements {
			if err := s.conn.Exec(ctx, bind(stmt, s.db)); err != nil {
				return fmt.Errorf("migrating: applying %04d_%s, statement %d: %w", m.version, m.name, i+1, err)
			}
		}
		if err := s.conn.Exec(ctx, recordStatement(s.db, m)); err != nil {
			return fmt.Errorf("migrating: recording %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// appliedMigrations returns the versions recorded as applied.
func (s *Store) appliedMigrations(ctx context.Context) (map[uint32]bool, error) {
	rows, err := s.conn.Query(ctx, appliedMigrationsQuery(s.db))
	if err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	defer rows.Close()
	applied := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("reading applied migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	return applied, nil
}

// AppliedMigrations returns the versions of the migrations recorded as
// applied, for `cityops migrate --status` and the tests.
func (s *Store) AppliedMigrations(ctx context.Context) ([]uint32, error) {
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(applied)), nil
}
