package web

import (
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

// newUpgrader returns the websocket upgrader of the live map. It negotiates
// per-message compression: a change is compressed once for all clients that
// asked for it (PreparedMessage), and snapshots shrink several times.
func newUpgrader(allowed []string) *websocket.Upgrader {
	return &websocket.Upgrader{
		ReadBufferSize:    1 << 10,
		WriteBufferSize:   8 << 10,
		WriteBufferPool:   &sync.Pool{}, // idle clients hold no write buffer
		CheckOrigin:       originChecker(allowed),
		EnableCompression: true,
	}
}

// serveLive upgrades to a websocket and serves one live map client until it
// leaves, fails or is sent away. Every client starts in the public view; a
// token is taken only from an auth message. A token in the URL, which
// proxies and access logs keep, sends the client away without being looked
// at.
func (s *Server) serveLive(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil) // answers refused origins with 403
	if err != nil {
		s.log.Debug("refusing a live client", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	view := publicView
	cl := newClient(conn, s.m, s.hub.hx, s.hub.queueLen, view)
	// The upgrader compresses whenever the client offers to.
	cl.deflate = strings.Contains(strings.ToLower(r.Header.Get("Sec-Websocket-Extensions")), "permessage-deflate")
	log := s.log.With("remote", r.RemoteAddr)
	switch {
	case r.URL.Query().Has("token"):
		log.Info("refusing a live client with a token in the URL; tokens go in the auth message")
		cl.kick(byeTokenInURL)
	case !s.hub.add(cl):
		cl.kick(byeShutdown)
	default:
		defer s.hub.done()
		defer s.hub.remove(cl)
	}
	log.Debug("live client connected", "view", view.Role, "department", view.Department)

	written := make(chan error, 1)
	go func() { written <- cl.writeLoop() }()
	s.hub.readLoop(cl)
	close(cl.done)
	if err := <-written; err != nil {
		log.Debug("live client write failed", "err", err)
	}
	conn.Close()
	log.Debug("live client left")
}
