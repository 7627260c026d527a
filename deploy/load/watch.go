package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// WS says how to watch the live map.
type WS struct {
	URL       string // ws://host:port/ws/live
	Token     string // a center token, sent in the auth message
	Subscribe string // a message to send once connected; empty subscribes to BBox
	// BBox is the extent to watch [west, south, east, north] when Subscribe
	// is empty. When more incidents are open in it than the server sends
	// one by one (it answers with H3 cells instead), the watcher halves it
	// around its centre until the server sends incidents; only events inside
	// are then timed.
	BBox [4]float64
}

// Subscription is the live map subscription (protocol 2) that asks for
// every single incident inside bbox [west, south, east, north].
func Subscription(bbox [4]float64) string {
	b, _ := json.Marshal(map[string]any{"type": "subscribe", "id": "load", "bbox": bbox, "zoom": 14})
	return string(b)
}

// subscribeIncidents subscribes to the largest part of bbox (halving it
// around its centre) for which the server sends single incidents.
func subscribeIncidents(conn *websocket.Conn, bbox [4]float64, tl *tally) error {
	for range 12 {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(Subscription(bbox))); err != nil {
			return fmt.Errorf("subscribing on the live map: %w", err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return fmt.Errorf("waiting for the live map's snapshot: %w", err)
			}
			if bytes.Contains(msg, []byte(`"type":"bye"`)) || bytes.Contains(msg, []byte(`"type":"error"`)) {
				return fmt.Errorf("subscribing on the live map: %s", msg)
			}
			if bytes.Contains(msg, []byte(`"type":"snapshot"`)) {
				if !bytes.Contains(msg, []byte(`"mode":"cells"`)) {
					tl.wsBBox.Store(bbox)
					return nil
				}
				break
			}
			if bytes.Contains(msg, []byte(`"type":"change"`)) { // protocol 1: no subscriptions
				tl.wsBBox.Store(bbox)
				return nil
			}
		}
		w, h := (bbox[2]-bbox[0])/4, (bbox[3]-bbox[1])/4
		cx, cy := (bbox[0]+bbox[2])/2, (bbox[1]+bbox[3])/2
		bbox = [4]float64{cx - w, cy - h, cx + w, cy + h}
		tl.wsShrunk.Store(true)
	}
	return fmt.Errorf("subscribing on the live map: it sends cells even for %v", bbox)
}

// watchWS reads the live map's messages until ctx is done and records, for
// each incident an event of the run raised, when it first arrived. It only
// looks for the run's event ids in the raw messages, so it follows any
// message that carries incidents (snapshots, changes) without decoding them.
func watchWS(ctx context.Context, cfg WS, prefix string, tl *tally, ready chan<- error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1 << 16}
	conn, resp, err := d.DialContext(ctx, cfg.URL, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		ready <- fmt.Errorf("dialing the live map %s: %w", cfg.URL, err)
		return
	}
	defer conn.Close()
	// The token goes in the protocol's auth message, never in the URL, which
	// proxies and access logs keep (the server refuses it there). The server
	// handles it before the subscribe that follows.
	if cfg.Token != "" {
		auth, _ := json.Marshal(map[string]string{"type": "auth", "token": cfg.Token})
		if err := conn.WriteMessage(websocket.TextMessage, auth); err != nil {
			ready <- fmt.Errorf("authenticating on the live map: %w", err)
			return
		}
	}
	if cfg.Subscribe != "" {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(cfg.Subscribe)); err != nil {
			ready <- fmt.Errorf("subscribing on the live map: %w", err)
			return
		}
	} else if err := subscribeIncidents(conn, cfg.BBox, tl); err != nil {
		ready <- err
		return
	}
	conn.SetReadDeadline(time.Time{})
	ready <- nil
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	needle := []byte(prefix) // after "event_id":" and, over HTTP, the sender's scope "<key name>:"
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
		tl.wsLast.Store(now.UnixNano())
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
