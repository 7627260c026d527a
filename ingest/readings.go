package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// Limits on a batch of readings.
const (
	MaxBatchBytes = 8 << 20
	MaxBatchLines = 10000
)

// LineResult says what became of one line of a batch.
type LineResult struct {
	Line   int    `json:"line"`
	ID     string `json:"id,omitempty"`
	Status string `json:"status"` // accepted, rejected or rate_limited
	Field  string `json:"field,omitempty"`
	Error  string `json:"error,omitempty"`
}

// BatchResult is the answer to a batch.
type BatchResult struct {
	Accepted int          `json:"accepted"`
	Rejected int          `json:"rejected"`
	Limited  int          `json:"rate_limited"`
	Results  []LineResult `json:"results"`
}

// ReadingsHandler serves POST /api/v1/readings: NDJSON, one reading a line.
type ReadingsHandler struct {
	Validator *Validator
	Devices   Registry
	Publish   Publish
	Limiter   *KeyLimiter // per device; nil means no limit
	Logger    *slog.Logger
}

// ServeHTTP validates every line on its own: good lines are published to
// Publish, the readings topic (ReadingRecord: keyed by device, so a device's
// readings stay in order) and a bad line is reported
// with its number, field and reason without holding the others back. It
// answers 200 with the per-line results once the good ones are durable, 429
// when every line was over its device's rate, 413 over the limits, 400 for a
// batch that is not NDJSON at all and 503 when the broker cannot take it.
func (h *ReadingsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, msgs, wait, err := h.decodeBatch(http.MaxBytesReader(w, r.Body, MaxBatchBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			writeError(w, http.StatusRequestEntityTooLarge, cityops.Invalid("body", "larger than %d bytes", MaxBatchBytes))
		case errors.Is(err, errTooManyLines):
			writeError(w, http.StatusRequestEntityTooLarge, cityops.Invalid("body", "more than %d lines", MaxBatchLines))
		default:
			writeError(w, http.StatusBadRequest, err)
		}
		return
	}
	if len(msgs) > 0 {
		if err := h.Publish(r.Context(), msgs...); err != nil {
			h.logger().Error("publishing readings", "n", len(msgs), "err", err)
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, errors.New("the event bus is unavailable; retry the batch later"))
			return
		}
	}
	code := http.StatusOK
	if res.Limited > 0 {
		SetRetryAfter(w, wait)
		if res.Accepted == 0 && res.Rejected == 0 {
			code = http.StatusTooManyRequests
		}
	}
	writeJSON(w, code, res)
}

var errTooManyLines = errors.New("too many lines")

// decodeBatch reads NDJSON lines and returns their results and the records
// of the good ones.
func (h *ReadingsHandler) decodeBatch(body io.Reader) (BatchResult, []kafka.Message, time.Duration, error) {
	res := BatchResult{Results: []LineResult{}}
	var msgs []kafka.Message
	var wait time.Duration
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4096), MaxEventBytes)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(res.Results) == MaxBatchLines {
			return res, nil, 0, errTooManyLines
		}
		lr := LineResult{Line: n}
		ev, err := h.Validator.DecodeReading(h.Devices, line)
		if err == nil {
			if ok, d := h.Limiter.Allow(ev.DeviceID, time.Now()); !ok {
				lr.Status, lr.Error = "rate_limited", fmt.Sprintf("device %s is over its rate; retry in %s", ev.DeviceID, d.Round(time.Millisecond))
				res.Limited++
				wait = max(wait, d)
				res.Results = append(res.Results, lr)
				continue
			}
			var m kafka.Message
			if m, err = ReadingRecord(ev); err == nil {
				lr.ID, lr.Status = ev.ID, "accepted"
				res.Accepted++
				msgs = append(msgs, m)
				res.Results = append(res.Results, lr)
				continue
			}
		}
		lr.Status, lr.Error = "rejected", err.Error()
		var fe *cityops.FieldError
		if errors.As(err, &fe) {
			lr.Field = fe.Field
		}
		res.Rejected++
		res.Results = append(res.Results, lr)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return res, nil, 0, cityops.Invalid("body", "line %d is longer than %d bytes", len(res.Results)+1, MaxEventBytes)
		}
		return res, nil, 0, fmt.Errorf("reading the batch: %w", err)
	}
	return res, msgs, wait, nil
}

func (h *ReadingsHandler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}
