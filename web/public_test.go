package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/prometheus/client_golang/prometheus"
)

// publicHub is a hub whose public view hides cells below k.
func publicHub(k int) *hub {
	h := newHub(newTestMetrics(), nil, time.UTC)
	h.minCount = k
	return h
}

func newTestMetrics() *metrics {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		panic(err)
	}
	return m
}

// openAt publishes an open incident id at lat, lon into h.
func openAt(t testing.TB, h *hub, id string, lat, lon float64, v uint64, st cityops.Status) {
	t.Helper()
	cells, err := geo.CellsOf(lat, lon)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	kind := cityops.ChangeCreated
	if v > 1 {
		kind = cityops.ChangeUpdated
	}
	if err := h.publish(cityops.Change{Kind: kind, Incident: cityops.Incident{
		ID: id, EventID: "ev-" + id, Source: cityops.SourceHotline, Type: "manhole", Category: "010101",
		Severity: 2, Status: st, Lat: lat, Lon: lon, Cell: cells.Cell, Cell7: cells.Cell7, Cell5: cells.Cell5,
		DepartmentID: "sanitation", Reported: now, Updated: now, Version: v,
	}}); err != nil {
		t.Fatal(err)
	}
}

// publicSnapshot subscribes a public client of h with sub and returns the
// subscription as the hub took it and the cells of its snapshot, sorted.
func publicSnapshot(t testing.TB, h *hub, sub string) (*client, *subscription, []cellCount) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(sub), &raw); err != nil {
		t.Fatal(err)
	}
	s, err := parseSubscription(raw, publicView)
	if err != nil {
		t.Fatalf("%s: %v", sub, err)
	}
	cl := newClient(nil, h.m, h.hx, h.queueLen, publicView)
	h.mu.Lock()
	h.clients[cl] = struct{}{} // later changes reach it
	h.mu.Unlock()
	h.subscribe(cl, s)
	var w work
	cl.take(&w, true)
	if w.snap == nil {
		t.Fatalf("%s: no snapshot", sub)
	}
	cells := slices.Clone(w.cells)
	slices.SortFunc(cells, func(a, b cellCount) int { return int(a.cell>>1) - int(b.cell>>1) })
	return cl, s, cells
}

func bboxSub(b [4]float64, zoom float64) string {
	return fmt.Sprintf(`{"type":"subscribe","bbox":[%v,%v,%v,%v],"zoom":%v}`, b[0], b[1], b[2], b[3], zoom)
}

// TestPublicSubscriptionRules checks what a subscribe message of the public
// view is turned into.
func TestPublicSubscriptionRules(t *testing.T) {
	tests := []struct {
		name  string
		sub   string
		field string // the field an error names; "" for none
		res   int
		bbox  [4]float64
	}{
		{"zoomed in gets resolution 7", `{"bbox":[121.4,31.2,121.5,31.3],"zoom":16}`, "", 7, [4]float64{121.4, 31.2, 121.5, 31.3}},
		{"zoom 8 gets resolution 7", `{"bbox":[121.4,31.2,121.5,31.3],"zoom":8}`, "", 7, [4]float64{121.4, 31.2, 121.5, 31.3}},
		{"zoomed out gets resolution 5", `{"zoom":3}`, "", 5, [4]float64{-180, -90, 180, 90}},
		{"narrow bbox widened about its middle", `{"bbox":[121.45,31.25,121.4501,31.2501],"zoom":20}`, "", 7, [4]float64{121.40005, 31.20005, 121.50005, 31.30005}},
		{"narrow in one way only", `{"bbox":[121.0,31.25,122.0,31.2500001],"zoom":12}`, "", 7, [4]float64{121, 31.20000005, 122, 31.30000005}},
		{"narrow at the world's edge stays inside it", `{"bbox":[179.99,89.99,180,90],"zoom":12}`, "", 7, [4]float64{179.9, 89.9, 180, 90}},
		{"narrow at the world's other edge", `{"bbox":[-180,-90,-179.99,-89.99],"zoom":12}`, "", 7, [4]float64{-180, -90, -179.9, -89.9}},
		{"category filter refused", `{"filters":{"category":["010101"]}}`, "filters.category", 0, [4]float64{}},
		{"department filter refused", `{"filters":{"department":["parks"]}}`, "filters.department", 0, [4]float64{}},
		{"status filter refused", `{"filters":{"status":["dispatched"]}}`, "filters.status", 0, [4]float64{}},
		{"source filter refused", `{"filters":{"source":["iot"]}}`, "filters.source", 0, [4]float64{}},
		{"empty filters take everything", `{"filters":{"category":[],"status":[]},"zoom":9}`, "", 7, [4]float64{-180, -90, 180, 90}},
		{"unknown filter still an error", `{"filters":{"colour":["red"]}}`, "filters.colour", 0, [4]float64{}},
		{"bad bbox still an error", `{"bbox":[1,1,0,0]}`, "bbox", 0, [4]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.sub), &raw); err != nil {
				t.Fatal(err)
			}
			raw["type"] = json.RawMessage(`"subscribe"`)
			s, err := parseSubscription(raw, publicView)
			if tt.field != "" {
				var fe *cityops.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Fatalf("error %v, want one naming %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.mode != modeCells || s.res != tt.res {
				t.Errorf("mode %s res %d, want cells at %d", s.mode, s.res, tt.res)
			}
			for i := range s.bbox {
				if math.Abs(s.bbox[i]-tt.bbox[i]) > 1e-9 {
					t.Fatalf("bbox %v, want %v", s.bbox, tt.bbox)
				}
			}
			if s.bbox[2]-s.bbox[0] < publicMinSpan-1e-9 || s.bbox[3]-s.bbox[1] < publicMinSpan-1e-9 {
				t.Errorf("bbox %v narrower than %v", s.bbox, publicMinSpan)
			}
		})
	}
}

// TestPublicCellsWholeAndAboveK checks that the public view counts a cell
// whole when its centre is in the bbox, and not at all otherwise, and that
// cells below k are left out.
func TestPublicCellsWholeAndAboveK(t *testing.T) {
	h := publicHub(3)
	// Three incidents in one resolution-7 cell, two in another.
	c3 := cellNear(t, 31.215, 121.404)
	// A sibling of c3 under the same resolution-5 parent.
	var c2 cityops.Cell
	for _, d := range [][2]float64{{0.02, 0}, {-0.02, 0}, {0, 0.02}, {0, -0.02}, {0.03, 0.03}, {-0.03, -0.03}} {
		if c := cellNear(t, 31.215+d[0], 121.404+d[1]); c != c3 && geo.Parent(c, cityops.ResCity) == geo.Parent(c3, cityops.ResCity) {
			c2 = c
			break
		}
	}
	if c2 == 0 {
		t.Fatal("no sibling cell found")
	}
	for i := range 3 {
		lat, lon := pointIn(t, c3, rand.New(rand.NewPCG(uint64(i), 1)))
		openAt(t, h, fmt.Sprintf("a%d", i), lat, lon, 1, cityops.StatusDispatched)
	}
	for i := range 2 {
		lat, lon := pointIn(t, c2, rand.New(rand.NewPCG(uint64(i), 2)))
		openAt(t, h, fmt.Sprintf("b%d", i), lat, lon, 1, cityops.StatusDispatched)
	}
	centre := h.hx.centre(c3)
	tests := []struct {
		name string
		bbox [4]float64
		want []cellCount
	}{
		{"the cell's centre inside: all three", [4]float64{centre[1] - 0.05, centre[0] - 0.05, centre[1] + 0.05, centre[0] + 0.05}, []cellCount{{c3, 3}}},
		{"a tiny box on the centre is widened: all three", [4]float64{centre[1], centre[0], centre[1] + 1e-9, centre[0] + 1e-9}, []cellCount{{c3, 3}}},
		{"the centre just outside: none, though the cell overlaps", [4]float64{centre[1] + 1e-6, centre[0] - 0.05, centre[1] + 0.1, centre[0] + 0.05}, nil},
		{"both cells in view: the one below k is left out", [4]float64{121, 31, 122, 32}, []cellCount{{c3, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, got := publicSnapshot(t, h, bboxSub(tt.bbox, 12))
			if !slices.Equal(got, tt.want) {
				t.Errorf("cells %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("at resolution 5 only children of at least k count", func(t *testing.T) {
		// c3 and c2 share a resolution-5 parent; the parent shows 3, not 5,
		// so that it and c3 do not tell c2's two apart.
		p := geo.Parent(c3, cityops.ResCity)
		c := h.hx.centre(p)
		_, _, got := publicSnapshot(t, h, bboxSub([4]float64{c[1] - 0.5, c[0] - 0.5, c[1] + 0.5, c[0] + 0.5}, 5))
		if want := []cellCount{{p, 3}}; !slices.Equal(got, want) {
			t.Errorf("cells %v, want %v", got, want)
		}
	})

	t.Run("changes below k are not written", func(t *testing.T) {
		cl, _, snap := publicSnapshot(t, h, bboxSub([4]float64{121, 31, 122, 32}, 12))
		if !slices.Equal(snap, []cellCount{{c3, 3}}) {
			t.Fatalf("snapshot %v", snap)
		}
		steps := []struct {
			do   func()
			want []cellCount
		}{
			{func() { openAt(t, h, "a0", 31.215, 121.404, 2, cityops.StatusClosed) }, []cellCount{{c3, 0}}}, // 3 -> 2: gone
			{func() { openAt(t, h, "a1", 31.215, 121.404, 2, cityops.StatusClosed) }, nil},                  // 2 -> 1: nothing to say
			{func() {
				lat, lon := pointIn(t, c2, rand.New(rand.NewPCG(9, 9)))
				openAt(t, h, "b2", lat, lon, 1, cityops.StatusDispatched)
			}, []cellCount{{c2, 3}}}, // 2 -> 3: shown
			{func() {
				lat, lon := pointIn(t, c2, rand.New(rand.NewPCG(10, 9)))
				openAt(t, h, "b3", lat, lon, 1, cityops.StatusDispatched)
			}, []cellCount{{c2, 4}}},
		}
		for i, st := range steps {
			st.do()
			var w work
			cl.take(&w, true)
			if !slices.Equal(w.cells, st.want) {
				t.Fatalf("step %d: cells %v, want %v", i, w.cells, st.want)
			}
		}
	})
}

// shownCount is the count the public view shows for cell, of resolution 7
// or 5, given the open incidents by resolution-7 cell: a resolution-7 cell's
// own, a resolution-5 cell's the sum of its children counting at least k,
// so that no difference between the two resolutions tells of a child
// hidden for counting fewer.
func shownCount(by7 map[cityops.Cell]int, cell cityops.Cell, k int) int {
	if geo.Resolution(cell) == cityops.ResDistrict {
		return by7[cell]
	}
	n := 0
	for c, m := range by7 {
		if m >= k && geo.Parent(c, geo.Resolution(cell)) == cell {
			n += m
		}
	}
	return n
}

// cellNear returns the resolution-7 cell of lat, lon.
func cellNear(t testing.TB, lat, lon float64) cityops.Cell {
	t.Helper()
	cs, err := geo.CellsOf(lat, lon)
	if err != nil {
		t.Fatal(err)
	}
	return cs.Cell7
}

// pointIn returns a random point whose resolution-7 cell is c.
func pointIn(t testing.TB, c cityops.Cell, r *rand.Rand) (lat, lon float64) {
	t.Helper()
	vs, err := geo.Boundary(c)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := [2]float64{90, 180}, [2]float64{-90, -180}
	for _, v := range vs {
		lo = [2]float64{min(lo[0], v[0]), min(lo[1], v[1])}
		hi = [2]float64{max(hi[0], v[0]), max(hi[1], v[1])}
	}
	for range 10000 {
		lat, lon = lo[0]+r.Float64()*(hi[0]-lo[0]), lo[1]+r.Float64()*(hi[1]-lo[1])
		if cs, err := geo.CellsOf(lat, lon); err == nil && cs.Cell7 == c {
			return lat, lon
		}
	}
	t.Fatalf("no point found in %s", c)
	return 0, 0
}

// TestPublicViewCannotSingleOutAnIncident is the property the public view
// exists for: whatever bboxes a client without a token asks for, among them
// the ~40 halvings about one incident that found its exact point before,
// what it is sent does not depend on where in its resolution-7 cell an
// incident is, and every cell it is sent counts at least k incidents. So
// no sequence of subscriptions tells an incident's position finer than a
// cell of ~5 km² shared with k-1 others, nor, with no filters, its category.
func TestPublicViewCannotSingleOutAnIncident(t *testing.T) {
	const k = 3
	trials := 12
	if testing.Short() {
		trials = 3
	}
	for trial := range trials {
		r := rand.New(rand.NewPCG(uint64(trial), 15))
		// A city of 0.3° x 0.3° with 40 incidents, some cells crowded.
		n := 40
		type inc struct{ lat, lon float64 }
		world := make([]inc, n)
		for i := range world {
			if i > 0 && r.IntN(3) == 0 { // near an earlier one
				p := world[r.IntN(i)]
				world[i] = inc{p.lat + (r.Float64()-0.5)*0.01, p.lon + (r.Float64()-0.5)*0.01}
			} else {
				world[i] = inc{31.1 + r.Float64()*0.3, 121.3 + r.Float64()*0.3}
			}
		}
		target := r.IntN(n)
		tc := cellNear(t, world[target].lat, world[target].lon)
		// Another world: the target elsewhere in its own cell.
		moved := slices.Clone(world)
		moved[target].lat, moved[target].lon = pointIn(t, tc, r)

		build := func(w []inc) *hub {
			h := publicHub(k)
			for i, p := range w {
				openAt(t, h, fmt.Sprintf("inc-%d", i), p.lat, p.lon, 1, cityops.StatusDispatched)
			}
			return h
		}
		ha, hb := build(world), build(moved)
		counts := make(map[cityops.Cell]int) // open incidents by cell, as in the world
		for _, p := range world {
			counts[cellNear(t, p.lat, p.lon)]++
		}

		// Halve the bbox about the target 40 times, with a random corner
		// kept each time, at zooms that would have been single incidents.
		b := [4]float64{121.3, 31.1, 121.6, 31.4}
		for step := range 40 {
			for _, zoom := range []float64{6, 12, 18} {
				sub := bboxSub(b, zoom)
				_, _, a := publicSnapshot(t, ha, sub)
				_, _, bb := publicSnapshot(t, hb, sub)
				if !slices.Equal(a, bb) {
					t.Fatalf("trial %d step %d %s: moving incident %d within its cell changed the answer:\n%v\n%v", trial, step, sub, target, a, bb)
				}
				for _, c := range a {
					if geo.Resolution(c.cell) > cityops.ResDistrict {
						t.Fatalf("trial %d step %d: cell %s finer than resolution 7", trial, step, c.cell)
					}
					if c.count < k {
						t.Fatalf("trial %d step %d: cell %s counts %d < k", trial, step, c.cell, c.count)
					}
					if want := shownCount(counts, c.cell, k); c.count != want {
						t.Fatalf("trial %d step %d: cell %s counts %d, want %d: whole cells, of children of at least k", trial, step, c.cell, c.count, want)
					}
				}
			}
			p := world[target]
			w, h := (b[2]-b[0])/2, (b[3]-b[1])/2
			west, south := b[0], b[1]
			if p.lon > west+w || r.IntN(4) == 0 && p.lon > west+w/2 {
				west += w
			}
			if p.lat > south+h || r.IntN(4) == 0 && p.lat > south+h/2 {
				south += h
			}
			b = [4]float64{west, south, west + w, south + h}
		}
	}
}

// TestPublicViewOverTheWire checks the public rules as a browser meets
// them: no filters, resolution 7 at any zoom, and a token in the URL
// refused.
func TestPublicViewOverTheWire(t *testing.T) {
	s, ts, _ := newTestServer(t, nil)
	publishFixture(t, s)
	c := connect(t, ts, "")
	send(t, c, `{"type":"subscribe","bbox":`+cityBBox+`,"zoom":15,"filters":{"category":["010101"]}}`)
	if m := next(t, c); m.Type != "error" || m.Field != "filters.category" || !strings.Contains(m.Message, "authenticate") {
		t.Fatalf("got %+v, want an error naming filters.category", m)
	}
	if m := subscribe(t, c, `{"type":"subscribe","bbox":`+cityBBox+`,"zoom":15}`); m.Mode != "cells" || m.Res != 7 {
		t.Fatalf("got %+v, want resolution 7 cells", m)
	}
}

// TestPublicRollupChanges follows a resolution-5 public cell as its
// resolution-7 children cross k: the parent counts a child only while the
// child counts at least k, in the snapshot and in the changes after it.
func TestPublicRollupChanges(t *testing.T) {
	h := publicHub(3)
	a := cellNear(t, 31.215, 121.404)
	var b cityops.Cell
	for _, d := range [][2]float64{{0.02, 0}, {-0.02, 0}, {0, 0.02}, {0, -0.02}, {0.03, 0.03}, {-0.03, -0.03}} {
		if c := cellNear(t, 31.215+d[0], 121.404+d[1]); c != a && geo.Parent(c, cityops.ResCity) == geo.Parent(a, cityops.ResCity) {
			b = c
			break
		}
	}
	if b == 0 {
		t.Fatal("no sibling cell found")
	}
	p := geo.Parent(a, cityops.ResCity)
	place := func(id string, c cityops.Cell, v uint64, st cityops.Status) {
		lat, lon := pointIn(t, c, rand.New(rand.NewPCG(uint64(id[0]), uint64(id[len(id)-1]))))
		openAt(t, h, id, lat, lon, v, st)
	}
	for _, id := range []string{"a1", "a2", "a3"} {
		place(id, a, 1, cityops.StatusDispatched)
	}
	for _, id := range []string{"b1", "b2"} {
		place(id, b, 1, cityops.StatusDispatched)
	}
	centre := h.hx.centre(p)
	cl, s, snap := publicSnapshot(t, h, bboxSub([4]float64{centre[1] - 0.5, centre[0] - 0.5, centre[1] + 0.5, centre[0] + 0.5}, 5))
	if s.res != cityops.ResCity || !s.rollup {
		t.Fatalf("res %d rollup %v, want 5 rolled up", s.res, s.rollup)
	}
	if want := []cellCount{{p, 3}}; !slices.Equal(snap, want) {
		t.Fatalf("snapshot %v, want %v", snap, want)
	}
	steps := []struct {
		name string
		do   func()
		want []cellCount
	}{
		{"b reaches k", func() { place("b3", b, 1, cityops.StatusDispatched) }, []cellCount{{p, 6}}},
		{"a falls below k", func() { place("a1", a, 2, cityops.StatusClosed) }, []cellCount{{p, 3}}},
		{"a falls further: nothing to say", func() { place("a2", a, 2, cityops.StatusClosed) }, nil},
		{"b falls below k: the parent is gone", func() { place("b1", b, 2, cityops.StatusClosed) }, []cellCount{{p, 0}}},
	}
	for _, st := range steps {
		st.do()
		var w work
		cl.take(&w, true)
		if !slices.Equal(w.cells, st.want) {
			t.Fatalf("%s: cells %v, want %v", st.name, w.cells, st.want)
		}
	}
}
