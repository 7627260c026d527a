package store

import (
	"context"
	"fmt"
)

// noteInsert records how the last insert of valid rows ended, for Ready.
func (s *Store) noteInsert(err error) {
	s.mu.Lock()
	s.lastInsertErr = err
	s.mu.Unlock()
}

// Ready reports whether the store can take writes: the server answers a ping
// and the last insert, if any, succeeded. A sink whose inserts fail (the
// server gone, a disk full) is not ready until an insert succeeds again, so
// the /readyz of a role that runs the sink should ask Ready, not Ping.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	err := s.lastInsertErr
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("the last insert failed: %w", err)
	}
	return nil
}
