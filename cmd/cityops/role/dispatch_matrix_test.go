package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
	"github.com/segmentio/kafka-go"
)

// TestMatrixChange edits the responsibility matrix of a running city: the
// dispatcher records the change (diff, time, version) and the center reads
// it; the incident opened before the change keeps its owner, and the
// processor with the new pack sends the next one to the new lead.
func TestMatrixChange(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, demo.City()); err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_matrix"}, Pack: dir})
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	r := startReplica(ctx, t, e, tokens, nil)
	tk, err := taskapi.ReadTokens(tokens)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.NewIndex(e.pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(e.o.Brokers(), bus.TopicIncidentsFound)
	defer w.Close()
	// raise processes a garbage complaint in the old town with pack and
	// hands the incident to the dispatcher, as the processor role does.
	raise := func(pack *rules.Pack, id string) {
		t.Helper()
		p, err := process.New(pack)
		if err != nil {
			t.Fatal(err)
		}
		pt := roletest.PointIn(t, areas, "d2-s1")
		now := time.Now()
		c, ok, err := p.Process(&cityops.Event{ID: id, Source: cityops.SourceHotline, Type: "complaint", Text: "垃圾堆了三天",
			Lat: pt[0], Lon: pt[1], Time: now, Received: now})
		if err != nil || !ok {
			t.Fatalf("processing %s: %v %v", id, ok, err)
		}
		v, _ := json.Marshal(c)
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(c.Incident.ID), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	changes := func(token string, want int) []dispatch.MatrixChange {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", r.base+"/api/v1/matrix/changes", bytes.NewReader(nil))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("matrix changes: %d, want %d", resp.StatusCode, want)
		}
		var out struct {
			Changes []dispatch.MatrixChange `json:"changes"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out.Changes
	}
	waitOwner := func(id, want string) {
		t.Helper()
		roletest.WaitFor(t, 30*time.Second, func() error {
			if task, ok := r.d.svc.Get(id); !ok || task.DepartmentID != want {
				return fmt.Errorf("task %s held %v, owned by %q, want %q", id, ok, task.DepartmentID, want)
			}
			return nil
		})
	}

	raise(e.pack, "before")
	waitOwner("INC-before", "cgzf")
	if got := changes(tk.Center, http.StatusOK); len(got) != 1 || got[0].Previous != "" {
		t.Fatalf("at start: %+v", got)
	}
	changes(tk.Departments["cgzf"], http.StatusForbidden)

	// The city hands garbage in the old town to the greening bureau.
	path := filepath.Join(dir, "matrix.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(b, []byte(`{category: "06010", area: d2, department: cgzf}`), []byte(`{category: "06010", area: d2, department: lhsr}`), 1)
	if bytes.Equal(edited, b) {
		t.Fatal("the demo matrix has no old-town garbage entry to edit")
	}
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	var got []dispatch.MatrixChange
	roletest.WaitFor(t, 30*time.Second, func() error {
		if got = changes(tk.Center, http.StatusOK); len(got) != 2 {
			return fmt.Errorf("%d changes recorded", len(got))
		}
		return nil
	})
	c := got[0] // newest first
	if c.Previous != got[1].Version || c.Version == c.Previous || c.Time.IsZero() || len(c.Added)+len(c.Removed) != 0 ||
		len(c.Changed) != 1 || c.Changed[0].Before.Department != "cgzf" || c.Changed[0].After.Department != "lhsr" {
		t.Fatalf("recorded change: %+v", c)
	}
	newPack, err := rules.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	raise(newPack, "after")
	waitOwner("INC-after", "lhsr")
	if task, _ := r.d.svc.Get("INC-before"); task.DepartmentID != "cgzf" {
		t.Errorf("the open task moved to %s", task.DepartmentID)
	}
}
