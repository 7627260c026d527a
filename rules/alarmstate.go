package rules

import (
	"encoding/json"
	"fmt"
)

// Snapshot returns the tracker's whole state as JSON, to be stored (for
// example on a compacted topic keyed by partition) and handed to Restore by
// the replica that next owns the partition.
func (a *Alarms) Snapshot() ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, err := json.Marshal(&a.st)
	if err != nil {
		return nil, fmt.Errorf("encoding alarm state: %w", err)
	}
	return b, nil
}

// Restore replaces the tracker's state with a snapshot. Open alarms whose
// type the pack no longer defines are dropped.
func (a *Alarms) Restore(b []byte) error {
	st := newAlarmState()
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decoding alarm state: %w", err)
	}
	for k, al := range st.Open {
		if a.defs[al.Type] == nil {
			delete(st.Open, k)
		}
	}
	a.mu.Lock()
	a.st = st
	a.mu.Unlock()
	return nil
}
