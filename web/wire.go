package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/gorilla/websocket"
)

// protocolVersion is the version of PROTOCOL.md the server speaks.
const protocolVersion = 3

// wireIncident is an incident as the live map receives it: its own fields,
// its resolution-9 cell as an H3 string (JavaScript numbers cannot hold a
// cell exactly) and that cell's boundary.
type wireIncident struct {
	*cityops.Incident
	H3  string          `json:"h3"`
	Hex json.RawMessage `json:"hex"`
}

// encodeIncident returns the wire JSON of inc and its resolution-9 cell (0
// when it has no usable cell). Every change on the live map is encoded here,
// so it uses the pipeline's json v2 codec, which writes what encoding/json
// writes in about half the time.
func encodeIncident(inc *cityops.Incident, hx *hexes) (cityops.Cell, []byte, error) {
	cell, hex := hx.of(inc)
	w := wireIncident{Incident: inc, Hex: hex}
	if cell != 0 {
		w.H3 = cell.String()
	}
	b, err := bus.EncodeJSON(w)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding incident %s: %w", inc.ID, err)
	}
	return cell, b, nil
}

// upsertMessage returns the upsert message of an incident's wire JSON. kind
// must be a known kind: it is written without escaping.
func upsertMessage(kind cityops.ChangeKind, incident []byte) []byte {
	const head, mid = `{"type":"upsert","kind":"`, `","incident":`
	b := make([]byte, 0, len(head)+len(kind)+len(mid)+len(incident)+1)
	b = append(b, head...)
	b = append(b, kind...)
	b = append(b, mid...)
	b = append(b, incident...)
	return append(b, '}')
}

// removeMessage returns the remove message of incident inc.
func removeMessage(inc *cityops.Incident) []byte {
	return mustJSON(struct {
		Type    string         `json:"type"`
		ID      string         `json:"id"`
		Version uint64         `json:"version"`
		Status  cityops.Status `json:"status"`
	}{"remove", inc.ID, inc.Version, inc.Status})
}

// snapshotHead returns the start of a snapshot message of sub; the
// incidents' or cells' JSON follows, separated by commas, then snapshotTail.
func snapshotHead(sub *subscription) []byte {
	b := append([]byte(`{"type":"snapshot","sub":`), mustJSON(sub.id)...)
	b = append(b, `,"mode":"`...)
	b = append(b, sub.mode...)
	b = append(b, `","res":`...)
	b = strconv.AppendInt(b, int64(sub.res), 10)
	if sub.mode == modeIncidents {
		return append(b, `,"incidents":[`...)
	}
	return append(b, `,"cells":[`...)
}

const snapshotTail = `]}`

// cellCount is the count of one cell as a client is sent it.
type cellCount struct {
	cell  cityops.Cell
	count int
}

// appendCells appends cs as JSON CELL objects, separated by commas.
func appendCells(b []byte, cs []cellCount, hx *hexes) []byte {
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"h3":"`...)
		b = strconv.AppendUint(b, uint64(c.cell), 16)
		b = append(b, `","count":`...)
		b = strconv.AppendInt(b, int64(c.count), 10)
		b = append(b, `,"hex":`...)
		if hex := hx.boundary(c.cell); hex != nil {
			b = append(b, hex...)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, '}')
	}
	return b
}

// cellsMessage returns the cells message of changed counts at resolution res.
func cellsMessage(res int, cs []cellCount, hx *hexes) []byte {
	b := append([]byte(`{"type":"cells","res":`), strconv.Itoa(res)...)
	b = append(b, `,"cells":[`...)
	b = appendCells(b, cs, hx)
	return append(b, "]}"...)
}

// helloMessage returns the hello message for view v.
// publicMin is the least count of a cell the public view is shown.
func helloMessage(v View, publicMin int, now time.Time) []byte {
	type limits struct {
		MaxMessageBytes  int     `json:"max_message_bytes"`
		Queue            int     `json:"queue"`
		MaxIncidents     int     `json:"max_incidents"`
		MaxIncidentBBox  float64 `json:"max_incident_bbox_degrees"`
		HeartbeatSeconds int     `json:"heartbeat_seconds"`
		PublicMinCount   int     `json:"public_min_count"`
		PublicMinBBox    float64 `json:"public_min_bbox_degrees"`
		PublicMaxRes     int     `json:"public_max_res"`
	}
	return mustJSON(struct {
		Type       string    `json:"type"`
		Protocol   int       `json:"protocol"`
		View       Role      `json:"view"`
		Department string    `json:"department"`
		Inspector  string    `json:"inspector,omitempty"`
		Limits     limits    `json:"limits"`
		ServerTime time.Time `json:"server_time"`
	}{"hello", protocolVersion, v.Role, v.Department, v.Inspector,
		limits{readLimit, defaultQueueLen, maxIncidents, maxIncidentBBox, int(heartbeatPeriod / time.Second),
			publicMin, publicMinSpan, cityops.ResDistrict}, now.UTC()})
}

// errorMessage returns an error message about field of a message of type ref.
func errorMessage(field, msg, ref string) []byte {
	return mustJSON(struct {
		Type    string `json:"type"`
		Field   string `json:"field"`
		Message string `json:"message"`
		Ref     string `json:"ref,omitempty"`
	}{"error", field, msg, ref})
}

// bye is why the server closes a connection.
type bye struct {
	code    int    // websocket close code
	reason  string // machine-readable
	message string // for people; also the close frame's text
}

// The reasons a server closes a connection.
var (
	byeShutdown     = bye{1001, "server_shutdown", "server shutting down"}
	byeTooFarBehind = bye{1013, "too_far_behind", "too far behind: reconnect for a fresh snapshot"}
	byeUnauthorized = bye{1008, "unauthorized", "unknown token"}
	byeTokenInURL   = bye{1008, "unauthorized", "a token in the URL is refused, since URLs end up in logs: send it in an auth message"}
	byeProtocol     = bye{1008, "protocol_error", "too many unusable messages"}
)

func (b bye) json() []byte {
	return mustJSON(struct {
		Type    string `json:"type"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}{"bye", b.reason, b.message})
}

// heartbeatMessage returns a heartbeat message.
func heartbeatMessage(now time.Time) []byte {
	b := append([]byte(`{"type":"heartbeat","at":"`), now.UTC().Format(time.RFC3339Nano)...)
	return append(b, `"}`...)
}

// mustJSON encodes v, which is of a type that always encodes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err))
	}
	return b
}

// shared is one message for many clients: its bytes, written as they are to
// clients without compression, and the same prepared for clients with
// compression, which then share one compressed frame.
type shared struct {
	data []byte
	pm   *websocket.PreparedMessage
}

func newShared(b []byte) (*shared, error) {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return nil, fmt.Errorf("preparing a message: %w", err)
	}
	return &shared{data: b, pm: pm}, nil
}
