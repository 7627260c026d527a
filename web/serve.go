package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds a graceful shutdown.
const shutdownTimeout = 5 * time.Second

// Serve listens on addr and serves until ctx is done, then shuts down
// gracefully: it stops accepting, says it is not ready, asks every live client
// to go away with a close frame, and waits for requests and clients to end,
// all within shutdownTimeout.
func (s *Server) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	return s.serve(ctx, ln)
}

func (s *Server) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	// Shutdown does not wait for hijacked connections: the hub closes them.
	hubDone := make(chan error, 1)
	srv.RegisterOnShutdown(func() { hubDone <- s.hub.shutdown(sctx) })
	err := srv.Shutdown(sctx)
	if err != nil {
		err = fmt.Errorf("shutting down the http server: %w", err)
	}
	select {
	case herr := <-hubDone:
		err = errors.Join(err, herr)
	case <-sctx.Done():
		err = errors.Join(err, fmt.Errorf("closing live clients: %w", sctx.Err()))
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("serving on %s: %w", ln.Addr(), serr))
	}
	return err
}
