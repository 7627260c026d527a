package web

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/gorilla/websocket"
)

// BenchmarkBroadcast publishes changes of 1,000 incidents to clients on
// loopback that all subscribe to every incident, and reports the messages
// delivered per second, summed over the clients, from the first Publish to
// the last message read. The clients' queues are unbounded here: this
// measures the fan-out, not the slow-client policy.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, deflate := range []bool{false, true} {
			b.Run(fmt.Sprintf("clients=%d/deflate=%v", n, deflate), func(b *testing.B) {
				benchmarkBroadcast(b, n, deflate)
			})
		}
	}
}

func benchmarkBroadcast(b *testing.B, clients int, deflate bool) {
	s, ts, _ := newTestServer(b, nil)
	s.hub.queueLen = 1 << 30
	const incidents = 1000
	base := make([]cityops.Change, incidents)
	for i := range base {
		base[i] = change(b, i, cityops.ChangeUpdated, cityops.StatusDispatched, 0)
	}

	d := &websocket.Dialer{EnableCompression: deflate}
	var wg sync.WaitGroup
	for range clients {
		c := connectWith(b, ts, "center-token", d)
		subscribe(b, c, centerSub)
		_ = c.SetReadDeadline(time.Time{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < b.N; {
				_, m, err := c.ReadMessage()
				if err != nil {
					b.Error(err)
					return
				}
				if bytes.HasPrefix(m, []byte(`{"type":"upsert"`)) {
					n++
				}
			}
		}()
	}

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ch := base[i%incidents]
		ch.Incident.Version = uint64(i + 1)
		s.Publish(ch)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(clients*b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
}

// BenchmarkLive is the load: 1,000 live map clients on loopback
// while 20,000 open incidents of a city of 0.6 x 0.4 degrees (Shanghai's
// core is about that) change at 5,000 a second. The clients look at the map
// as operators do: 40% at zoom 15, 40% at 14, 10% at 13 (each a 1920 x 1080
// screen somewhere in the city, in incidents mode), 10% at zoom 9 and 6
// (H3 cells of the whole city). Each op is one change published at that
// rate, so run it with -benchtime=10000x (two seconds) or more.
//
// It reports the messages delivered per second summed over the clients,
// the p50 and p99 delay from Publish to the client reading the message
// (incidents mode, where each message carries the change's time), and the
// memory per client: heap and stacks after the clients connected and
// subscribed, less before, divided by the clients; and the CPU time used
// per delivered message and the cores used, which tell the cost apart from
// waiting for a core on a shared machine. Both ends of each connection live
// in this process, so these figures are upper bounds of the server's share.
// BenchmarkLive sends one message per frame; BenchmarkLiveBatched has the
// clients ask for batches (several messages per frame, one per line).
func BenchmarkLive(b *testing.B)        { benchmarkLive(b, false) }
func BenchmarkLiveBatched(b *testing.B) { benchmarkLive(b, true) }

func benchmarkLive(b *testing.B, batch bool) {
	const (
		clients   = 1000
		incidents = 20000
		rate      = 5000 // changes a second
		west      = 121.20
		south     = 31.00
		width     = 0.6
		height    = 0.4
	)
	s, ts, reg := newTestServer(b, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	base := make([]cityops.Change, incidents)
	for i := range base {
		lat, lon := south+rng.Float64()*height, west+rng.Float64()*width
		cells, err := geo.CellsOf(lat, lon)
		if err != nil {
			b.Fatal(err)
		}
		ch := change(b, i, cityops.ChangeCreated, cityops.StatusDispatched, 1)
		ch.Incident.Lat, ch.Incident.Lon = lat, lon
		ch.Incident.Cell, ch.Incident.Cell7, ch.Incident.Cell5 = cells.Cell, cells.Cell7, cells.Cell5
		s.Publish(ch)
		ch.Kind = cityops.ChangeUpdated
		base[i] = ch
	}

	before := memInUse()
	type reader struct {
		conn     *websocket.Conn
		incident bool
		delays   []time.Duration
		msgs     int
	}
	readers := make([]*reader, clients)
	for i := range readers {
		zoom := []float64{15, 15, 15, 15, 14, 14, 14, 14, 13, 9}[i%10]
		if i%20 == 19 {
			zoom = 6
		}
		sub := `{"type":"subscribe","zoom":` + fmt.Sprint(zoom) + `}`
		if zoom >= zoomIncidents {
			// A 1920 x 1080 screen at this zoom, in Web Mercator.
			w := 1920 * 360 / (256 * float64(int(1)<<int(zoom)))
			h := 1080 * 360 / (256 * float64(int(1)<<int(zoom))) * 0.857 // cos(31°)
			x, y := west+rng.Float64()*(width-w), south+rng.Float64()*(height-h)
			sub = fmt.Sprintf(`{"type":"subscribe","zoom":%v,"bbox":[%.5f,%.5f,%.5f,%.5f]}`, zoom, x, y, x+w, y+h)
		}
		if batch {
			sub = strings.TrimSuffix(sub, "}") + `,"batch":true}`
		}
		c := connect(b, ts, "center-token")
		subscribe(b, c, sub)
		_ = c.SetReadDeadline(time.Time{})
		readers[i] = &reader{conn: c, incident: zoom >= zoomIncidents, delays: make([]time.Duration, 0, 4096)}
	}
	after := memInUse()

	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []byte(`"updated":"`)
			for !stop.Load() {
				_, frame, err := r.conn.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				for m := range bytes.SplitSeq(frame, []byte{'\n'}) {
					r.msgs++
					if !r.incident || !bytes.HasPrefix(m, []byte(`{"type":"upsert"`)) {
						continue
					}
					if i := bytes.Index(m, key); i >= 0 {
						rest := m[i+len(key):]
						if j := bytes.IndexByte(rest, '"'); j > 0 {
							if t, err := time.Parse(time.RFC3339Nano, string(rest[:j])); err == nil {
								r.delays = append(r.delays, now.Sub(t))
							}
						}
					}
				}
			}
		}()
	}

	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	for i := 0; i < b.N; {
		<-tick.C
		// Catch up to the rate: as many changes as are due by now.
		due := min(b.N, int(time.Since(start).Seconds()*rate)+1)
		for ; i < due; i++ {
			ch := base[rng.IntN(incidents)]
			ch.Incident.Version++
			ch.Incident.Status = []cityops.Status{cityops.StatusDispatched, cityops.StatusAccepted, cityops.StatusInProgress}[ch.Incident.Version%3]
			ch.Incident.Updated = time.Now()
			s.Publish(ch)
			setChange(base, ch)
		}
	}
	tick.Stop()
	time.Sleep(200 * time.Millisecond) // the last messages arrive
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	stop.Store(true)
	for _, r := range readers {
		r.conn.Close()
	}
	wg.Wait()

	var all []time.Duration
	msgs := 0
	for _, r := range readers {
		all = append(all, r.delays...)
		msgs += r.msgs
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(msgs)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(after-before)/clients/1024, "KiB/client")
	b.ReportMetric(float64(cpu.Microseconds())/float64(msgs), "cpu-µs/msg")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores-used")
	b.ReportMetric(metric(b, reg, "cityops_web_live_clients_dropped_slow_total"), "dropped")
}

// setChange stores ch as the latest change of its incident in base.
func setChange(base []cityops.Change, ch cityops.Change) {
	var n int
	_, _ = fmt.Sscanf(ch.Incident.ID, "inc-%d", &n)
	base[n] = ch
}

// cpuTime returns the user and system CPU time the process has used. On a
// shared machine it tells the cost of the load apart from the wait for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memInUse returns the heap and stack memory in use after a collection.
func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}
