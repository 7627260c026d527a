package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

// transitionRecords are transitions as the dispatcher writes them (an
// adoption with its incident, a signal with a hundred report ids, a
// return) and variants: names in other cases, a name twice, invalid UTF-8,
// no incident id, wrong types, not JSON.
func transitionRecords(t testing.TB) [][]byte {
	t.Helper()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	inc := cityops.Incident{ID: "INC-1", EventID: "ev-1", Source: cityops.SourceHotline, Category: "0111", Status: cityops.StatusDispatched,
		DepartmentID: "water", Reported: t0, Updated: t0, Version: 1, Rules: []string{"hotline.water"}}
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprintf("load-mwtf3c4l-%09d", i*7919))
	}
	var recs [][]byte
	for _, tr := range []cityops.Transition{
		{IncidentID: "INC-1", Version: 2, Action: "adopt", To: cityops.StatusDispatched, Actor: "system", Time: t0, Department: "water", Deadline: t0.Add(4 * time.Hour), Incident: &inc},
		{IncidentID: "INC-1", Version: 3, Action: "signal", From: cityops.StatusDispatched, To: cityops.StatusDispatched, Actor: "system", Time: t0, Entered: t0,
			Note: "report ev-2 merged: 120 reports", Department: "water", Merge: &cityops.Merge{Signal: "ev-2", Seq: 1, Reports: 120, ReportIDs: ids, First: t0, Last: t0}},
		{IncidentID: "INC-1", Version: 4, Action: "return", From: cityops.StatusDispatched, To: cityops.StatusReported, Actor: "dept:water", Time: t0.Add(time.Hour), Entered: t0,
			Reason: "not_ours", Department: "water", Owner: "center"},
	} {
		v, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, v)
	}
	return append(recs,
		[]byte(`{"Incident_ID":"INC-2","VERSION":2,"To":"accepted","Actor":"dept:water"}`),
		[]byte(`{"incident_id":"INC-3","version":1,"version":2,"to":"accepted"}`),
		[]byte("{\"incident_id\":\"INC-4\",\"version\":1,\"reason\":\"bad \xff byte\"}"),
		[]byte(`{"version":1,"to":"accepted"}`),
		[]byte(`{"incident_id":"INC-5","version":"one"}`),
		[]byte(`{"incident_id":"INC-6","time":"yesterday"}`),
		[]byte(`{"incident_id":`),
		[]byte(`[]`),
	)
}

// decodeTransitionV1 is the audit row as encoding/json reads the record.
func decodeTransitionV1(value []byte) (Transition, bool) {
	var tr cityops.Transition
	if json.Unmarshal(value, &tr) != nil || tr.IncidentID == "" {
		return Transition{}, false
	}
	return Transition{IncidentID: tr.IncidentID, Version: tr.Version, Action: tr.Action, From: tr.From, To: tr.To, Actor: tr.Actor,
		DepartmentID: tr.Department, Reason: tr.Reason, Note: tr.Note, Time: tr.Time, Entered: tr.Entered}, true
}

// TestDecodeTransitionAsEncodingJSON: the audit trail gets from every
// record the row, or the refusal, that encoding/json gives.
func TestDecodeTransitionAsEncodingJSON(t *testing.T) {
	for _, rec := range transitionRecords(t) {
		want, ok := decodeTransitionV1(rec)
		got, err := decodeTransition(rec)
		if (err == nil) != ok {
			t.Errorf("%.80s: error %v, encoding/json takes it: %v", rec, err, ok)
			continue
		}
		if err != nil && !errors.Is(err, cityops.ErrInvalid) {
			t.Errorf("%.80s: error %v does not match ErrInvalid", rec, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.80s:\ngot  %+v\nwant %+v", rec, got, want)
		}
	}
}

// BenchmarkDecodeTransition decodes a signal's transition with a hundred
// report ids, as encoding/json read it and as the audit trail does.
func BenchmarkDecodeTransition(b *testing.B) {
	rec := transitionRecords(b)[1]
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, ok := decodeTransitionV1(rec); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("trail", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := decodeTransition(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
