package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

func TestRulesTestHistory(t *testing.T) {
	addr := chtest.Start(t)
	ctx := t.Context()
	s, err := store.Open(ctx, store.Options{Addr: addr, Database: "cityops_whatif"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	var changes []cityops.Change
	for i, tc := range []struct{ text, then string }{
		{"路面破损有个大坑", "06010"}, // decided as garbage then; the demo pack now says damaged road
		{"小区门口垃圾没人清理", "06010"},
		{"违停车辆堵住消防通道", "09009"},
	} {
		ev := &cityops.Event{ID: string(rune('a' + i)), Source: cityops.SourceHotline, Type: "complaint", Text: tc.text,
			Lat: 30.62, Lon: 117.07, Time: at, Received: at}
		changes = append(changes, cityops.Change{Kind: cityops.ChangeCreated, Event: ev, Incident: cityops.Incident{
			ID: "INC-" + ev.ID, EventID: ev.ID, Source: ev.Source, Category: tc.then, Status: cityops.StatusDispatched,
			Lat: ev.Lat, Lon: ev.Lon, Reported: at, Updated: at, Version: 1}})
	}
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"rules", "test", "../../deploy/demo/city", "--history", "--clickhouse", addr, "--database", "cityops_whatif"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, w := range []string{"1  06010 -> 06013", "events=3 changed=1"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output does not say %q:\n%s", w, out.String())
		}
	}
}
