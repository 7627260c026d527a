package load

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Latency summarizes the latencies of the events that were seen.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) *Latency {
	if len(ds) == 0 {
		return &Latency{}
	}
	slices.Sort(ds)
	q := func(p float64) float64 {
		i := min(len(ds)-1, int(p*float64(len(ds))))
		return ms(ds[i])
	}
	return &Latency{Count: len(ds), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: ms(ds[len(ds)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Report is what a run measured.
type Report struct {
	Path        string    `json:"path"`        // how events went in: http URL or kafka brokers and topic
	Target      float64   `json:"target_rate"` // events per second asked for
	Events      int       `json:"events"`      // events the run was to send
	Start       time.Time `json:"start"`
	SendSeconds float64   `json:"send_seconds"`

	Sent     int64    `json:"sent"`
	Accepted int64    `json:"accepted"`
	Hotline  int64    `json:"accepted_hotline"`
	IoT      int64    `json:"accepted_iot"`
	Refused  int64    `json:"refused"`
	Failed   int64    `json:"failed"`
	SendRate float64  `json:"send_rate"` // accepted events per second while sending
	Errors   []string `json:"errors,omitempty"`

	// ClickHouse: every accepted hotline event must be stored once in
	// events, every accepted sensor reading once in readings.
	Stored           *Counts  `json:"stored,omitempty"`
	StoredFinalRows  uint64   `json:"stored_final_rows,omitempty"`
	Lost             int64    `json:"lost"`          // accepted hotline events not stored
	LostReadings     int64    `json:"lost_readings"` // accepted readings not stored
	Duplicated       int64    `json:"duplicated"`    // rows beyond one per event or reading after FINAL
	EndToEndSeconds  float64  `json:"end_to_end_seconds,omitempty"`
	EndToEndRate     float64  `json:"end_to_end_rate,omitempty"`  // accepted events / (first release .. last hotline event stored)
	StoredLatency    *Latency `json:"stored_latency,omitempty"`   // hotline events: sampled probes, resolution StoredResolution
	ReadingsLatency  *Latency `json:"readings_latency,omitempty"` // sensor readings, the same way
	StoredResolution string   `json:"stored_resolution,omitempty"`

	WSLatency  *Latency   `json:"ws_latency,omitempty"` // every hotline event whose incident reached the live map
	WSMessages int64      `json:"ws_messages,omitempty"`
	WSRepeats  int64      `json:"ws_repeats,omitempty"`
	WSClosed   string     `json:"ws_closed,omitempty"` // why the live map closed the connection, if it did
	WSBBox     [4]float64 `json:"ws_bbox"`             // the extent watched; events outside it are not timed
}

func (r *Report) fill(tl *tally, hot int64) {
	r.Sent = tl.sent.Load()
	r.Hotline, r.IoT = hot, tl.iot.Load()
	r.Accepted = r.Hotline + r.IoT
	r.Refused, r.Failed = tl.refused.Load(), tl.failed.Load()
	if r.SendSeconds > 0 {
		r.SendRate = float64(r.Accepted) / r.SendSeconds
	}
}

// WriteTable prints the report for people.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "path        %s\n", r.Path)
	fmt.Fprintf(w, "asked       %d events at %.0f/s\n", r.Events, r.Target)
	fmt.Fprintf(w, "sent        %d in %.1fs: accepted %d (hotline %d, sensors %d), refused %d, failed %d; %.0f accepted/s\n",
		r.Sent, r.SendSeconds, r.Accepted, r.Hotline, r.IoT, r.Refused, r.Failed, r.SendRate)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  e.g. %s\n", e)
	}
	if r.Stored != nil {
		fmt.Fprintf(w, "stored      hotline %d (events), sensors %d (readings); rows %d before merges, %d after FINAL\n",
			r.Stored.Hotline, r.Stored.IoT, r.Stored.Rows, r.StoredFinalRows)
		fmt.Fprintf(w, "lost        hotline %d, readings %d   duplicated %d\n", r.Lost, r.LostReadings, r.Duplicated)
		if r.EndToEndSeconds > 0 {
			fmt.Fprintf(w, "end to end  %.0f events/s (%d accepted, all stored after %.1fs)\n", r.EndToEndRate, r.Accepted, r.EndToEndSeconds)
		}
	}
	fmt.Fprintf(w, "\n%-22s %8s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max")
	row := func(name string, l *Latency) {
		if l != nil {
			fmt.Fprintf(w, "%-22s %8d %9.1f %9.1f %9.1f %9.1f\n", name, l.Count, l.P50, l.P90, l.P99, l.Max)
		}
	}
	row("ingest -> stored", r.StoredLatency)
	row("reading -> stored", r.ReadingsLatency)
	row("ingest -> websocket", r.WSLatency)
	if r.StoredLatency != nil {
		fmt.Fprintf(w, "(stored: sampled events, found by polling ClickHouse every %s)\n", r.StoredResolution)
	}
	if r.WSLatency != nil {
		fmt.Fprintf(w, "(websocket: the incidents of the run's events inside %v)\n", r.WSBBox)
	}
	if r.WSClosed != "" {
		fmt.Fprintf(w, "the live map closed the connection: %s\n", r.WSClosed)
	}
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}
