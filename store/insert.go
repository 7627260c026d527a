package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cityops/cityops"
)

// InsertChanges stores a batch of incident changes: the incidents' new states
// in one insert into incidents, and the events the changes carry in one insert
// into events. A batch with an invalid change (see the Handler for what is
// checked) is refused whole with an error matching cityops.ErrInvalid, before
// anything is written.
//
// Inserting the same batch again, after a retry or a replay, leaves no
// visible repeats: the rows share their sorting keys with the earlier ones,
// and the reads collapse them (events with FINAL; incidents with FINAL or
// argMax by version) until merges remove them.
func (s *Store) InsertChanges(ctx context.Context, changes []cityops.Change) error {
	for i, c := range changes {
		if err := validate(c); err != nil {
			return fmt.Errorf("inserting changes: change %d of incident %q: %w", i, c.Incident.ID, err)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	// The two inserts go on two connections at once; if one fails the batch
	// is retried whole, which the tables absorb.
	var wg sync.WaitGroup
	var ierr error
	wg.Go(func() { ierr = s.insertIncidents(ctx, changes) })
	eerr := s.insertEvents(ctx, changes)
	wg.Wait()
	err := errors.Join(ierr, eerr)
	s.noteInsert(err)
	if err != nil {
		return fmt.Errorf("inserting changes: %w", err)
	}
	return nil
}

// insertColumns sends one batch into table: columns are the names, values one
// slice per column, in the same order.
func (s *Store) insertColumns(ctx context.Context, table string, columns []string, values []any) error {
	b, err := s.conn.PrepareBatch(ctx, insertQuery(s.db, table, columns))
	if err != nil {
		return fmt.Errorf("preparing insert into %s: %w", table, err)
	}
	defer b.Abort() // releases the connection if Send is not reached; a no-op after it
	for i, v := range values {
		if err := b.Column(i).Append(v); err != nil {
			return fmt.Errorf("filling column %s of %s: %w", columns[i], table, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("sending insert into %s: %w", table, err)
	}
	return nil
}
