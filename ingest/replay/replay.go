package replay

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/ingest"
	"github.com/segmentio/kafka-go"
)

// Config says how to replay.
type Config struct {
	Mapping   Mapping
	Validator *ingest.Validator // the extent and age the rows must fit
	Publish   bus.Publish       // nil validates only (a dry run)
	BatchSize int               // rows per publish (default 500)
	Progress  func(rows int)    // called after each batch, optional
}

// Rejection is a row that was refused.
type Rejection struct {
	Line   int    // the row's line in the file, the header being line 1
	Key    string // the row's unique key
	Field  string // the column at fault
	Reason string
}

// Summary counts a replay.
type Summary struct {
	Rows       int
	Sent       int // rows that passed validation and went to the broker
	Accepted   int // rows the broker acknowledged
	Rejected   int
	Rejections []Rejection
	// Warnings are rows that were sent but whose data is faulty: those
	// closed before they were created. They are the city's real records,
	// so replay keeps them, and counts them here for the source to fix.
	Warnings []Rejection
}

// ByField counts the rejections by the column at fault, most first.
func (s *Summary) ByField() []FieldCount { return byField(s.Rejections) }

// WarningsByField counts the warnings by the column at fault, most first.
func (s *Summary) WarningsByField() []FieldCount { return byField(s.Warnings) }

func byField(rs []Rejection) []FieldCount {
	m := map[string]*FieldCount{}
	for _, r := range rs {
		fc, ok := m[r.Field]
		if !ok {
			fc = &FieldCount{Field: r.Field, Example: r.Reason}
			m[r.Field] = fc
		}
		fc.Count++
	}
	out := make([]FieldCount, 0, len(m))
	for _, fc := range m {
		out = append(out, *fc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// FieldCount is how many rows were refused for one column, with an example.
type FieldCount struct {
	Field   string
	Count   int
	Example string
}

// Run replays the CSV in r: each row is validated as a hotline event and the
// good ones are published in batches, keyed by event id. It stops at the
// first publish error, returning what it counted so far.
func Run(ctx context.Context, r io.Reader, cfg Config) (Summary, error) {
	var sum Summary
	m := cfg.Mapping
	if err := m.check(); err != nil {
		return sum, err
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return sum, fmt.Errorf("reading the CSV header: %w", err)
	}
	cols := columns{}
	for i, h := range header {
		cols[h] = i
	}
	for _, c := range []string{m.ID, m.Created, m.Type, m.Lat, m.Lon} {
		if _, ok := cols[c]; !ok {
			return sum, fmt.Errorf("the CSV has no column %q", c)
		}
	}
	batch := make([]kafka.Message, 0, cfg.BatchSize)
	flush := func() error {
		if len(batch) > 0 && cfg.Publish != nil {
			if err := cfg.Publish(ctx, batch...); err != nil {
				return fmt.Errorf("publishing %d rows: %w", len(batch), err)
			}
		}
		sum.Accepted += len(batch)
		batch = batch[:0]
		if cfg.Progress != nil {
			cfg.Progress(sum.Rows)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		sum.Rows++
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return sum, fmt.Errorf("reading the CSV: %w", err)
			}
			sum.reject(Rejection{Line: pe.StartLine, Field: "row", Reason: pe.Err.Error()})
			continue
		}
		line, _ := cr.FieldPos(0) // a record read without error has a field
		ev, warn, err := m.event(cfg.Validator, cols, rec)
		if err != nil {
			rj := Rejection{Line: line, Key: cols.get(rec, m.ID), Field: "row", Reason: err.Error()}
			var fe *cityops.FieldError
			if errors.As(err, &fe) {
				rj.Field, rj.Reason = fe.Field, fe.Reason
			}
			sum.reject(rj)
			continue
		}
		v, err := json.Marshal(ev)
		if err != nil {
			return sum, fmt.Errorf("encoding row %d: %w", line, err)
		}
		sum.Sent++
		if warn != nil {
			sum.Warnings = append(sum.Warnings, Rejection{Line: line, Key: cols.get(rec, m.ID), Field: warn.Field, Reason: warn.Reason})
		}
		batch = append(batch, kafka.Message{Key: []byte(ev.ID), Value: v})
		if len(batch) == cfg.BatchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	return sum, flush()
}

func (s *Summary) reject(r Rejection) {
	s.Rejected++
	s.Rejections = append(s.Rejections, r)
}
