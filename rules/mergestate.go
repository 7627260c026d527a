package rules

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cityops/cityops"
)

// mergedState is one held incident as Snapshot writes it.
type mergedState struct {
	ID        string       `json:"id"`
	Class     string       `json:"class"`
	Category  string       `json:"category,omitempty"`
	Cell      cityops.Cell `json:"cell"`
	Reports   int          `json:"reports"`
	ReportIDs []string     `json:"report_ids,omitempty"`
	Alarms    []string     `json:"alarms,omitempty"`
	First     time.Time    `json:"first"`
	Last      time.Time    `json:"last"`
	Done      time.Time    `json:"done,omitzero"`
	Sigs      []string     `json:"sigs"`
}

type mergerState struct {
	Latest    time.Time     `json:"latest"`
	Incidents []mergedState `json:"incidents"`
}

// IncidentOf returns the id of the held incident that signal (a report's
// event id or an alarm's id) joined.
func (m *Merger) IncidentOf(signal string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inc, ok := m.signals[signal]
	if !ok {
		return "", false
	}
	return inc.ID, true
}

// Snapshot returns the incidents the Merger holds as JSON, for Restore in
// the replica that next owns the partition.
func (m *Merger) Snapshot() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := mergerState{Latest: m.latest, Incidents: make([]mergedState, 0, len(m.ids))}
	for _, inc := range m.ids {
		st.Incidents = append(st.Incidents, mergedState{ID: inc.ID, Class: m.class[inc], Category: inc.Category, Cell: inc.Cell,
			Reports: inc.Reports, ReportIDs: inc.ReportIDs, Alarms: inc.Alarms, First: inc.First, Last: inc.Last, Done: inc.Done, Sigs: inc.sigs})
	}
	slices.SortFunc(st.Incidents, func(a, b mergedState) int { return a.Last.Compare(b.Last) })
	b, err := json.Marshal(&st)
	if err != nil {
		return nil, fmt.Errorf("encoding merge state: %w", err)
	}
	return b, nil
}

// Restore replaces the incidents held with a snapshot's, keeping the
// Merger's configuration.
func (m *Merger) Restore(b []byte) error {
	var st mergerState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decoding merge state: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.open, m.signals, m.class, m.ids = map[mkey][]*Merged{}, map[string]*Merged{}, map[*Merged]string{}, map[string]*Merged{}
	m.queue, m.head, m.latest, m.done = m.queue[:0], 0, st.Latest, nil
	for _, s := range st.Incidents { // oldest last signal first, as the queue wants
		inc := &Merged{ID: s.ID, Category: s.Category, Cell: s.Cell, Reports: s.Reports, ReportIDs: s.ReportIDs,
			Alarms: s.Alarms, First: s.First, Last: s.Last, sigs: s.Sigs}
		k := mkey{s.Class, s.Cell}
		m.open[k] = append(m.open[k], inc)
		m.class[inc] = s.Class
		m.ids[inc.ID] = inc
		for _, id := range s.Sigs {
			m.signals[id] = inc
		}
		m.queue = append(m.queue, qent{inc, inc.Last})
		if !s.Done.IsZero() {
			inc.Done, inc.until = s.Done, s.Done.Add(m.reopen(inc.Category))
			heap.Push(&m.done, dent{inc, inc.until})
		}
	}
	return nil
}
