package feed

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

// TestRecordsAsEncodingJSON holds a department's feed record, which the json
// v2 codec writes, to what encoding/json writes, byte for byte, with every
// field of the task and the transition set and with few, and checks where it
// goes: the owner's topic, keyed by incident id; no owner, no record.
func TestRecordsAsEncodingJSON(t *testing.T) {
	zone := time.FixedZone("EST", -5*3600)
	at := time.Date(2026, 11, 2, 9, 30, 0, 987654321, zone)
	yes := true
	task := lifecycle.Task{
		Incident: cityops.Incident{
			ID: "inc-7", EventID: "311-1", Source: cityops.SourceHotline, Type: "Noise - Residential",
			Text: "loud <music> & \"shouting\" \u2028", Category: "0201", CategoryName: "噪声", Severity: 2,
			Status: cityops.StatusAccepted, Lat: 40.7128, Lon: -74.006, AreaID: "105", DistrictID: "1",
			DepartmentID: "NYPD", Cooperating: []string{"DEP"}, Rules: []string{"noise"},
			Reported: at, Updated: at.Add(time.Hour), Deadline: at.Add(8 * time.Hour), Version: 12,
			Reports: 2, ReportIDs: []string{"311-2"},
		},
		Dispatched: at, Accepted: at.Add(time.Minute), Since: at.Add(time.Minute), Returns: 1, Level: 2,
		Arbitration: true, Evidence: []string{"photo-1"},
	}
	tr := cityops.Transition{
		IncidentID: "inc-7", Version: 12, Action: "accept", From: cityops.StatusDispatched, To: cityops.StatusAccepted,
		Actor: "dept:NYPD", Time: at.Add(time.Minute), Entered: at, Reason: "r", Note: "on it\x7f", Evidence: []string{"e"},
		Department: "NYPD", Category: "0201", Deadline: at.Add(8 * time.Hour), Level: 2, Hours: 1.5, OnTime: &yes,
	}
	bare := lifecycle.Task{Incident: cityops.Incident{ID: "inc-8", DepartmentID: "DSNY"}}
	for name, c := range map[string]struct {
		t  lifecycle.Task
		tr cityops.Transition
	}{"full": {task, tr}, "bare": {bare, cityops.Transition{IncidentID: "inc-8", To: cityops.StatusDispatched}}} {
		t.Run(name, func(t *testing.T) {
			got := Records(&c.t, c.tr)
			if len(got) != 1 {
				t.Fatalf("%d records, want 1", len(got))
			}
			if got[0].Topic != Topic(c.t.DepartmentID) || string(got[0].Key) != c.t.ID {
				t.Errorf("record to %s keyed %q, want %s keyed %q", got[0].Topic, got[0].Key, Topic(c.t.DepartmentID), c.t.ID)
			}
			want, err := json.Marshal(Record{Transition: c.tr, Task: c.t})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[0].Value, want) {
				t.Errorf("wrote\n%s\nencoding/json writes\n%s", got[0].Value, want)
			}
		})
	}
	unowned := bare
	unowned.DepartmentID = ""
	if got := Records(&unowned, cityops.Transition{}); got != nil {
		t.Errorf("a task without an owner got records %v", got)
	}
}
