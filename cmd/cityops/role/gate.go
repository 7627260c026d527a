package role

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
)

// intakeGate refuses new input with 503 once a shutdown began, so that the
// stages behind it can drain, and counts the requests it let through that
// are still running.
type intakeGate struct {
	closed   atomic.Bool
	inflight atomic.Int64
}

func (g *intakeGate) close() {
	if g != nil {
		g.closed.Store(true)
	}
}

func (g *intakeGate) isClosed() bool { return g != nil && g.closed.Load() }

// idle reports drained once the gate is closed and every request it let
// through has been answered: their events are on Kafka by then.
func (g *intakeGate) idle(context.Context) (bool, error) {
	if g == nil {
		return true, nil
	}
	return g.isClosed() && g.inflight.Load() == 0, nil
}

// wrap makes h answer 503 to every request that is not a read once the gate
// is closed.
func (g *intakeGate) wrap(h http.Handler) http.Handler {
	if g == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		g.inflight.Add(1) // before looking at closed, so idle never misses this request
		defer g.inflight.Add(-1)
		if g.closed.Load() {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "shutting down: send this again to another replica or later", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ready makes next fail once the gate is closed.
func (g *intakeGate) ready(next func(ctx context.Context) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if g.isClosed() {
			return errors.New("shutting down")
		}
		return next(ctx)
	}
}
