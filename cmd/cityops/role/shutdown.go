package role

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cityops/cityops/bus"
)

// stage is one part of a role, in pipeline order.
type stage struct {
	name string
	run  func(ctx context.Context) error // runs until ctx is done
	// drained says whether the stage has handled all its input; nil stops
	// the stage as soon as the stages before it stopped.
	drained func(ctx context.Context) (bool, error)
}

// drainPoll is how often a stopping stage's input is checked.
const drainPoll = 100 * time.Millisecond

// runInOrder runs the stages until sig is done, then shuts them down in
// pipeline order within timeout: onSignal runs first (it closes intake), and
// then each stage is stopped once the stages before it returned and its own
// input is drained. The graceful part gets 3/4 of timeout; after that every
// stage is stopped at once, and runInOrder returns an error when they are
// still not done at timeout. A stage that fails stops the others at once.
func runInOrder(sig context.Context, timeout time.Duration, log *slog.Logger, onSignal func(), stages ...stage) error {
	if timeout <= 0 {
		timeout = Defaults().Shutdown.Timeout
	}
	base := context.WithoutCancel(sig)
	force, forceNow := context.WithCancel(base)
	defer forceNow()
	errs := make([]error, len(stages))
	done := make([]chan struct{}, len(stages))
	for i := range stages {
		done[i] = make(chan struct{})
	}
	for i, s := range stages {
		ctx, cancel := context.WithCancel(force)
		go func() {
			defer close(done[i])
			defer cancel()
			if err := s.run(ctx); err != nil && force.Err() == nil {
				errs[i] = fmt.Errorf("%s: %w", s.name, err)
				log.Error("stage failed, stopping the others", "stage", s.name, "err", err)
				forceNow()
			}
		}()
		go func() {
			defer cancel()
			if !stopWhenDrained(ctx, sig, s, done[:i], log) {
				return
			}
			log.Info("stopping", "stage", s.name)
		}()
	}
	all := make(chan struct{})
	go func() {
		for _, d := range done {
			<-d
		}
		close(all)
	}()
	select {
	case <-all:
		return errors.Join(errs...)
	case <-sig.Done():
	}
	log.Info("shutting down in pipeline order", "deadline", timeout)
	if onSignal != nil {
		onSignal()
	}
	graceful := time.AfterFunc(timeout*3/4, func() {
		log.Warn("graceful shutdown took too long: stopping every stage now")
		forceNow()
	})
	defer graceful.Stop()
	select {
	case <-all:
		return errors.Join(errs...)
	case <-time.After(timeout):
		return errors.Join(append(errs, fmt.Errorf("shutting down: stages still running after %v", timeout))...)
	}
}

// stopWhenDrained waits for the signal, for the stages before s, and for s's
// input to be drained. It returns false when ctx ended first.
func stopWhenDrained(ctx, sig context.Context, s stage, before []chan struct{}, log *slog.Logger) bool {
	select {
	case <-sig.Done():
	case <-ctx.Done():
		return false
	}
	for _, d := range before {
		select {
		case <-d:
		case <-ctx.Done():
			return false
		}
	}
	for s.drained != nil {
		ok, err := s.drained(ctx)
		if err != nil {
			log.Debug("checking whether the input is drained", "stage", s.name, "err", err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(drainPoll):
		}
	}
	return true
}

// lagZero reports drained once group has committed every record of each
// topic.
func lagZero(o *proc, group string, topics ...string) func(ctx context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		for _, t := range topics {
			lag, err := bus.GroupLag(ctx, o.Brokers(), group, t)
			if err != nil {
				return false, err
			}
			if bus.TotalLag(lag) > 0 {
				return false, nil
			}
		}
		return true, nil
	}
}
