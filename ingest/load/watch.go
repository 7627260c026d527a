package load

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// WS says how to watch the live map.
type WS struct {
	URL       string // ws://host:port/ws/live
	Token     string // a center token: sent as a bearer token
	Subscribe string // a message to send once connected, e.g. a subscription; empty sends nothing
}

// watchWS reads the live map's messages until ctx is done and records, for
// each incident an event of the run raised, when it first arrived. It only
// looks for the run's event ids in the raw messages, so it follows any
// message that carries incidents (snapshots, changes) without decoding them.
func watchWS(ctx context.Context, cfg WS, prefix string, tl *tally, ready chan<- error) {
	h := http.Header{}
	if cfg.Token != "" {
		h.Set("Authorization", "Bearer "+cfg.Token)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1 << 16}
	conn, resp, err := d.DialContext(ctx, cfg.URL, h)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		ready <- fmt.Errorf("dialing the live map %s: %w", cfg.URL, err)
		return
	}
	defer conn.Close()
	if cfg.Subscribe != "" {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(cfg.Subscribe)); err != nil {
			ready <- fmt.Errorf("subscribing on the live map: %w", err)
			return
		}
	}
	ready <- nil
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	needle := []byte(`"event_id":"` + prefix)
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() == nil {
				tl.wsClosed.Store(err.Error())
			}
			return
		}
		now := time.Now()
		tl.wsMessages.Add(1)
		for {
			i := bytes.Index(msg, needle)
			if i < 0 {
				break
			}
			msg = msg[i+len(needle):]
			j := bytes.IndexByte(msg, '"')
			if j < 0 {
				break
			}
			if n, err := strconv.Atoi(string(msg[:j])); err == nil {
				tl.seenWS(n, now)
			}
		}
	}
}
