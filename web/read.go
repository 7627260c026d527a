package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cityops/cityops"
	"github.com/gorilla/websocket"
)

// messageGap is the least time between two client messages the server
// handles; faster messages wait, unread, in the connection.
const messageGap = time.Second / 20

// readLoop reads and handles the client's messages until the connection
// fails, answering pings and close frames and keeping the read deadline
// alive on pongs and messages.
func (h *hub) readLoop(c *client) {
	c.conn.SetReadLimit(readLimit)
	c.readDeadline()
	c.conn.SetPongHandler(func(string) error {
		c.readDeadline()
		return nil
	})
	var last time.Time
	var lastSub map[string]json.RawMessage // the subscribe in force, applied again on auth
	for {
		typ, r, err := c.conn.NextReader()
		if err != nil {
			return
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return
		}
		c.readDeadline()
		if wait := messageGap - time.Since(last); wait > 0 {
			time.Sleep(wait)
		}
		last = time.Now()
		if typ != websocket.TextMessage {
			c.fail("$", "is a binary message; want JSON text", "")
			continue
		}
		if sub := h.handle(c, b, lastSub); sub != nil {
			lastSub = sub
		}
	}
}

// handle handles one client message and returns it when it is a subscribe
// that was applied.
func (h *hub) handle(c *client, b []byte, lastSub map[string]json.RawMessage) map[string]json.RawMessage {
	c.mu.Lock()
	gone := c.bye != nil
	c.mu.Unlock()
	if gone { // a client sent away is told nothing more, not even whether a token is known
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		c.fail("$", "is not a JSON object", "")
		return nil
	}
	var typ string
	if err := json.Unmarshal(raw["type"], &typ); err != nil || typ == "" {
		c.fail("type", "is missing or not a string", "")
		return nil
	}
	switch typ {
	case "subscribe":
		if h.trySubscribe(c, raw) {
			return raw
		}
	case "auth":
		var token string
		if err := json.Unmarshal(raw["token"], &token); err != nil || token == "" {
			c.fail("token", "is missing or not a string", "auth")
			return nil
		}
		v, ok := h.authenticate(token)
		if !ok {
			c.kick(byeUnauthorized)
			return nil
		}
		h.setView(c, v)
		if lastSub != nil && !h.trySubscribe(c, lastSub) {
			h.unsubscribe(c)
		}
	default:
		c.fail("type", fmt.Sprintf("unknown message type %q; want subscribe or auth", typ), "")
	}
	return nil
}

// trySubscribe applies a subscribe message, or tells the client why not.
func (h *hub) trySubscribe(c *client, raw map[string]json.RawMessage) bool {
	c.mu.Lock()
	v := c.view
	c.mu.Unlock()
	s, err := parseSubscription(raw, v)
	if err != nil {
		var fe *cityops.FieldError
		if errors.As(err, &fe) {
			c.fail(fe.Field, fe.Reason, "subscribe")
		} else {
			c.fail("$", err.Error(), "subscribe")
		}
		return false
	}
	h.subscribe(c, s)
	return true
}

// unsubscribe drops c's subscription: it is sent nothing until it
// subscribes again.
func (h *hub) unsubscribe(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
	c.sub = nil
}

// authenticate returns the view token grants.
func (h *hub) authenticate(token string) (View, bool) {
	if h.auth == nil {
		return View{}, false
	}
	v, ok := h.auth(token)
	if !ok || !v.valid() {
		return View{}, false
	}
	return v, ok
}
