package role

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
)

// TestBrowserPages drives the three pages in headless Chromium against the
// whole pipeline: simulated events become hexagons on the live map, a filter
// hides and shows an incident, its timeline opens; the water authority signs
// in to its inbox, accepts and resolves its task, and the map shows the
// incident resolved; a device opens on its last 24 hours; the planner draws
// its heatmap, tables and a sensor's series. Screenshots
// go to test-artifacts/browser (or $CITYOPS_ARTIFACTS/browser).
func TestBrowserPages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_browser"}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	tokensPath := filepath.Join(t.TempDir(), "tokens.json")
	o.Tokens = tokensPath // the live map's views: the center's token sees every incident
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{Feeds: true}, newRegistry(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	tk, err := taskapi.ReadTokens(tokensPath)
	if err != nil {
		t.Fatal(err)
	}
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return readingsPath(ctx, o, pack, s, log) }, // the devices' charts read the stored readings
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		d.Run,
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, newRegistry(), log, d.Routes()) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")

	// Simulated city traffic, and one water-level alarm the water authority will handle.
	sm, err := sim.New(pack, 7)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := sim.Run(ctx, sm, sim.Config{Target: base, Key: roletest.IntakeSecret, Rate: 100, Duration: 2 * time.Second, Seed: 7})
	if err != nil || stats.Accepted < 100 {
		t.Fatalf("simulator: %+v %v", stats, err)
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A sensor's event takes its registered position, so the map is looked
	// at there.
	p := [2]float64{}
	for _, dev := range pack.Devices {
		if dev.ID == "water-001" {
			p = [2]float64{dev.Lat, dev.Lon}
		}
	}
	if p == [2]float64{} {
		t.Fatal("the demo city has no device water-001")
	}
	// Measured hours before the simulated traffic: a flood reading near a
	// simulated flood of the last hours would be merged into its incident
	// (the pack's merge window) instead of starting one of its own.
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"web-water","source":"iot","type":"water_level","value":0.5,"unit":"m","device_id":"water-001","lat":%v,"lon":%v,"time":"%s"}`,
		p[0], p[1], time.Now().Add(-4*time.Hour).Format(time.RFC3339)), http.StatusAccepted)
	const id = "INC-t:web-water"

	b := newBrowser(ctx, t)
	// The operations center signs in with the center's token, in English.
	b.run("opening the map", chromedp.Navigate(base+"/"),
		do(`localStorage.setItem('cityops.lang','en'); sessionStorage.setItem('cityops.token',`+js(tk.Center)+`)`),
		chromedp.Navigate(base+"/"))

	b.until(20*time.Second, "the map", `window.cityopsTest && cityopsTest.ready`, `document.body.textContent`)
	// Hexagons at a city-wide zoom: count what deck.gl actually drew.
	b.run("zooming out", do(`cityopsTest.jumpTo(10.5)`))
	b.until(30*time.Second, "hexagons", `cityopsTest.state().connected && cityopsTest.state().protocol === 3 && cityopsTest.state().view === "center" && cityopsTest.state().mode === "cells" && cityopsTest.state().hexagons > 0 && cityopsTest.pickHexagons() > 0 &&
		cityopsTest.state().counters && Number(document.getElementById('n-open').textContent) > 0`,
		`[cityopsTest.state(), cityopsTest.pickHexagons()]`)
	if drawn, err := eval[int](b, `cityopsTest.pickHexagons()`); err != nil || drawn == 0 {
		t.Fatalf("no hexagons drawn: %d %v", drawn, err)
	}
	b.screenshot("map-hexagons")
	// The page speaks Chinese at the switch, and English again.
	b.run("switching to Chinese", chromedp.Click(chromedp.CSS("#lang")))
	b.until(5*time.Second, "Chinese", `document.querySelector('#nav a.current').textContent === '实时地图' && document.documentElement.lang === 'zh-CN'`, `document.getElementById('nav').textContent`)
	b.screenshot("map-zh")
	b.run("switching to English", chromedp.Click(chromedp.CSS("#lang")))
	b.until(5*time.Second, "English", `document.querySelector('#nav a.current').textContent === 'Live map'`, `document.getElementById('nav').textContent`)

	// Single incidents near the alarm; the source filter hides and shows it.
	b.run("zooming in", do(fmt.Sprintf(`cityopsTest.jumpTo(13, %v, %v)`, p[0], p[1])))
	has := `cityopsTest.visible().some((i) => i.id === ` + js(id) + `)`
	b.until(30*time.Second, "the water alarm on the map", has+` && cityopsTest.pickIncidents() > 0`, `cityopsTest.visible().slice(0, 5)`)
	setFilter := func(sel, v string) {
		b.run("filtering "+sel, chromedp.SetValue(chromedp.CSS(sel), v),
			do(`document.querySelector(`+js(sel)+`).dispatchEvent(new Event('change'))`))
	}
	setFilter("#f-source", "hotline")
	b.until(10*time.Second, "hotline only", `!(`+has+`) && cityopsTest.visible().every((i) => i.source === 'hotline')`, `cityopsTest.visible().slice(0, 5)`)
	setFilter("#f-source", "iot")
	b.until(10*time.Second, "iot only", has+` && cityopsTest.visible().every((i) => i.source === 'iot')`, `cityopsTest.visible().slice(0, 5)`)
	b.screenshot("map-filtered")

	// The incident's detail and its timeline, once the audit trail is in ClickHouse.
	b.until(30*time.Second, "the timeline", `(document.querySelector('#list li[data-id=`+js(id)+`]').click(), true) &&
		new Promise((ok) => setTimeout(() => ok(/dispatched/.test(document.getElementById('timeline').textContent)), 500))`,
		`document.getElementById('detail').textContent`)
	b.screenshot("map-incident-timeline")

	// Devices are points on the map; one opens on its last 24 hours, drawn
	// with the value its alarm raises at (water_level.high, 0.15 m).
	b.until(10*time.Second, "the devices", `cityopsTest.devices().length === 30 && cityopsTest.devices().some((d) => d.state !== 'unknown')`, `cityopsTest.devices()`)
	b.run("opening a device", do(`cityopsTest.openDevice('water-001')`))
	b.until(30*time.Second, "the device's chart", `cityopsTest.deviceChart && cityopsTest.deviceChart.device === 'water-001' && cityopsTest.deviceChart.points > 0 &&
		cityopsTest.deviceChart.limits.includes(0.15) && !!document.querySelector('#device-chart svg.series-chart polyline.series') &&
		!!document.querySelector('#device-chart svg.series-chart line.limit')`,
		`[cityopsTest.deviceChart, document.getElementById('detail').textContent]`)
	b.screenshot("map-device-chart")

	// The connection drops and comes back, and the page says so.
	b.run("dropping the connection", do(`cityopsTest.dropConnection()`))
	b.until(5*time.Second, "the dropped sign", `cityopsTest.state().conn === 'down' && !document.getElementById('banner').hidden`, `cityopsTest.state()`)
	b.until(20*time.Second, "the reconnected sign", `cityopsTest.state().conn === 'reconnected' && cityopsTest.state().connected`, `cityopsTest.state()`)

	// The water authority works its task in the inbox.
	b.run("opening the inbox", chromedp.Navigate(base+"/inbox"),
		do(`sessionStorage.removeItem('cityops.token')`),
		chromedp.Navigate(base+"/inbox"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), tk.Departments["water"]),
		chromedp.Click(chromedp.CSS("#signin-go")))
	task := `li[data-id=` + js(id) + `]`
	b.until(30*time.Second, "the task in the inbox", `document.querySelector(`+js(task+` .act-accept`)+`)`, `document.getElementById('inbox').textContent`)
	b.screenshot("inbox")
	// A new alarm reaches the open inbox through the department's websocket
	// view, well before the 30-second poll.
	b.until(10*time.Second, "the inbox's live view", `cityopsTest.live() === 'department'`, `cityopsTest.live()`)
	// Elsewhere, and hours before the simulated traffic as the first one.
	p2 := roletest.PointIn(t, areas, "d3-s2")
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"web-water-2","source":"iot","type":"water_level","value":0.6,"unit":"m","device_id":"water-002","lat":%v,"lon":%v,"time":"%s"}`,
		p2[0], p2[1], time.Now().Add(-4*time.Hour).Format(time.RFC3339)), http.StatusAccepted)
	b.until(15*time.Second, "the pushed task", `cityopsTest.pushes > 0 && cityopsTest.tasks().some((x) => x.id === 'INC-t:web-water-2')`, `[cityopsTest.pushes, cityopsTest.polls]`)
	// The second alarm is the same flood: a progress note, then it goes back
	// to the center with the reason code "duplicate".
	task2 := `li[data-id="INC-t:web-water-2"]`
	version := `cityopsTest.tasks().find((x) => x.id === 'INC-t:web-water-2').version`
	v0, err := eval[float64](b, version)
	if err != nil {
		t.Fatal(err)
	}
	b.run("adding progress", chromedp.Click(chromedp.CSS(task2+` .act-note`)),
		chromedp.SendKeys(chromedp.CSS(task2+` form.step textarea`), "crew on site"),
		chromedp.Click(chromedp.CSS(task2+` form.step .send`)))
	b.until(10*time.Second, "the progress note", fmt.Sprintf("%s > %v", version, v0), `cityopsTest.tasks()`)
	b.run("returning", chromedp.Click(chromedp.CSS(task2+` .act-return`)),
		chromedp.SetValue(chromedp.CSS(task2+` form.step select`), "duplicate"),
		chromedp.Click(chromedp.CSS(task2+` form.step .send`)))
	b.until(10*time.Second, "returned", `!cityopsTest.tasks().some((x) => x.id === 'INC-t:web-water-2' && x.status === 'dispatched')`, `cityopsTest.tasks()`)
	returned := getTask(ctx, t, base, tk.Center, "INC-t:web-water-2")
	if returned["status"] != "registered" || returned["returns"] != float64(1) {
		t.Errorf("after the inbox returned it, the task is %v with %v returns, want registered with 1", returned["status"], returned["returns"])
	}
	b.run("accepting", chromedp.Click(chromedp.CSS(task+` .act-accept`)))
	b.until(10*time.Second, "accepted", `cityopsTest.tasks().some((x) => x.id === `+js(id)+` && x.status === 'accepted')`, `cityopsTest.tasks()`)
	b.run("resolving", chromedp.Click(chromedp.CSS(task+` .act-resolve`)),
		chromedp.SendKeys(chromedp.CSS(task+` form.step textarea`), "pumped out, road dry (photo://after.jpg)"),
		chromedp.Click(chromedp.CSS(task+` form.step .send`)))
	b.until(10*time.Second, "resolved", `cityopsTest.tasks().some((x) => x.id === `+js(id)+` && x.status === 'resolved')`, `cityopsTest.tasks()`)
	b.screenshot("inbox-resolved")

	// Back on the map, the incident shows as resolved.
	b.run("reopening the map", do(`sessionStorage.setItem('cityops.token',`+js(tk.Center)+`)`),
		chromedp.Navigate(base+"/"))
	b.until(20*time.Second, "the map", `window.cityopsTest && cityopsTest.ready`, `document.body.textContent`)
	b.until(30*time.Second, "the resolved incident on the map", `window.cityopsTest && cityopsTest.incidentStatus(`+js(id)+`) === 'resolved'`, `cityopsTest.state()`)

	// Without a token the map shows counts of whole coarse cells only, even
	// at street zoom: resolution 7 at most, none counting fewer than k=3,
	// and no filters.
	b.run("signing out of the map", do(`sessionStorage.removeItem('cityops.token')`), chromedp.Navigate(base+"/"))
	b.until(20*time.Second, "the public map", `window.cityopsTest && cityopsTest.ready`, `document.body.textContent`)
	b.run("zooming in", do(fmt.Sprintf(`cityopsTest.jumpTo(13, %v, %v)`, p[0], p[1])))
	b.until(20*time.Second, "the public view's cells", `cityopsTest.state().view === 'public' && cityopsTest.state().mode === 'cells' &&
		cityopsTest.state().res === 7 && cityopsTest.state().incidents === 0 && (cityopsTest.state().hexagons === 0 || cityopsTest.state().minCount >= 3) &&
		document.getElementById('f-category').disabled`, `cityopsTest.state()`)
	b.screenshot("map-public")

	// The planner reads the history, which needs a token: it asks for one.
	b.run("opening the planner", chromedp.Navigate(base+"/planner"))
	b.until(20*time.Second, "the planner's sign-in", `window.cityopsTest && cityopsTest.signIn > 0 && !!document.getElementById('token') && document.getElementById('trends').hidden`, `cityopsTest`)
	b.run("signing in to the planner",
		chromedp.SendKeys(chromedp.CSS("#token"), tk.Center),
		chromedp.Click(chromedp.CSS("#signin-go")))
	b.until(30*time.Second, "the planner's figures", `window.cityopsTest && cityopsTest.loaded > 0 && cityopsTest.heatCells > 0 && cityopsTest.departments > 0 && cityopsTest.trendSeries > 0`, `cityopsTest`)
	// The sensor panel: the first device's metric over the range, as a chart.
	b.until(20*time.Second, "the sensor panel", `cityopsTest.sensorPoints > 0 && !!document.querySelector('#sensors svg.series-chart') &&
		document.querySelector('#sensors a.csv').getAttribute('href').includes('/api/v1/history/readings?')`, `cityopsTest`)
	if stored, err := eval[string](b, `sessionStorage.getItem('cityops.token')`); err != nil || stored != tk.Center {
		t.Errorf("the planner keeps the token %q in sessionStorage (%v), want the center's", stored, err)
	}
	csv, err := eval[string](b, `document.querySelector('#heatmap a.csv').getAttribute('href')`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		token string
		code  int
	}{{"", http.StatusUnauthorized}, {tk.Center, http.StatusOK}} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+csv, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code || tt.code == http.StatusOK && resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("the heatmap's CSV link %s with token %v answers %d %s, want %d", csv, tt.token != "", resp.StatusCode, resp.Header.Get("Content-Type"), tt.code)
		}
	}
	b.screenshot("planner")
}

// getTask reads a task through the tasks API.
func getTask(ctx context.Context, t *testing.T, base, token, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/tasks/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET task %s: %d %v", id, resp.StatusCode, err)
	}
	return out
}
