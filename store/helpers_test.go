package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

// newStore starts a private ClickHouse, opens a store on it and migrates it.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	addr := chtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// readRecords returns the lines of an NDJSON file in testdata.
func readRecords(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			lines = append(lines, append([]byte(nil), line...))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// readChanges decodes the changes of an NDJSON file in testdata.
func readChanges(t testing.TB, name string) []cityops.Change {
	t.Helper()
	var cs []cityops.Change
	for _, line := range readRecords(t, name) {
		var c cityops.Change
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cs = append(cs, c)
	}
	return cs
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// makeChange returns the k-th change of a generated stream: a new incident
// with its event, spread over cells, areas and departments.
func makeChange(k int) cityops.Change {
	departments := []string{"NYPD", "DSNY", "DOT", "DEP", "HPD", "DOHMH"}
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	t := base.Add(time.Duration(k) * time.Second)
	v := float64(k % 500)
	id := fmt.Sprintf("inc-%d", k)
	ev := &cityops.Event{
		ID: fmt.Sprintf("ev-%d", k), Source: cityops.SourceIoT, Type: "noise", Text: "reading above threshold",
		Lat: 40.7 + float64(k%1000)/10000, Lon: -74.0 + float64(k%700)/10000, Time: t, Received: t.Add(time.Second),
		Value: &v, Unit: "dBA", DeviceID: fmt.Sprintf("dev-%d", k%651),
	}
	return cityops.Change{Kind: cityops.ChangeCreated, Event: ev, Incident: cityops.Incident{
		ID: id, EventID: ev.ID, Source: ev.Source, Type: ev.Type, Category: "noise", CategoryName: "Noise",
		Severity: 1 + k%4, Status: cityops.StatusDispatched, Lat: ev.Lat, Lon: ev.Lon,
		Cell: cityops.Cell(617700169958293503 + uint64(k%5000)<<15), Cell7: 608692970719281151, Cell5: 599685771850416127,
		AreaID: fmt.Sprintf("MN%02d", k%12), DistrictID: "MN", DepartmentID: departments[k%len(departments)],
		Rules: []string{"noise.threshold", "route.noise"}, Reported: t, Updated: t, Deadline: t.Add(72 * time.Hour), Version: 1,
	}}
}
