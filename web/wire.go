package web

import (
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
)

// wireIncident is an incident as the live map receives it: its own fields,
// its resolution-9 cell as an H3 string (JavaScript numbers cannot hold a
// cell exactly) and that cell's boundary.
type wireIncident struct {
	*cityops.Incident
	H3  string          `json:"h3"`
	Hex json.RawMessage `json:"hex"`
}

// encodeIncident returns the wire JSON of inc.
func encodeIncident(inc *cityops.Incident, hx *hexes) ([]byte, error) {
	cell, hex := hx.of(inc)
	w := wireIncident{Incident: inc, Hex: hex}
	if cell != 0 {
		w.H3 = cell.String()
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encoding incident %s: %w", inc.ID, err)
	}
	return b, nil
}

// changeMessage returns the change message of an incident's wire JSON. kind
// must be a known kind: it is written without escaping.
func changeMessage(kind cityops.ChangeKind, incident []byte) []byte {
	const head, mid = `{"type":"change","kind":"`, `","incident":`
	b := make([]byte, 0, len(head)+len(kind)+len(mid)+len(incident)+1)
	b = append(b, head...)
	b = append(b, kind...)
	b = append(b, mid...)
	b = append(b, incident...)
	return append(b, '}')
}

// The frame of a snapshot message; the incidents' wire JSON goes between,
// separated by commas.
const (
	snapshotHead = `{"type":"snapshot","incidents":[`
	snapshotTail = `]}`
)
