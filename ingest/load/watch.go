package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// WS says how to watch the live map.
type WS struct {
	URL       string // ws://host:port/ws/live
	Token     string // a center token: sent in the URL and as a bearer token
	Subscribe string // a message to send once connected, e.g. a subscription; empty sends nothing
}

// Subscription is the live map subscription (protocol 2) that asks for
// every single incident inside bbox [west, south, east, north].
func Subscription(bbox [4]float64) string {
	b, _ := json.Marshal(map[string]any{"type": "subscribe", "id": "load", "bbox": bbox, "zoom": 14})
	return string(b)
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
	u := cfg.URL
	if cfg.Token != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "token=" + url.QueryEscape(cfg.Token)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1 << 16}
	conn, resp, err := d.DialContext(ctx, u, h)
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
