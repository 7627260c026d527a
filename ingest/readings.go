package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
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
	Status string `json:"status"` // accepted, rejected, forbidden, conflict or rate_limited
	Field  string `json:"field,omitempty"`
	Error  string `json:"error,omitempty"`
}

// BatchResult is the answer to a batch.
type BatchResult struct {
	Accepted int          `json:"accepted"`
	Rejected int          `json:"rejected"` // forbidden and conflicting lines included
	Limited  int          `json:"rate_limited"`
	Results  []LineResult `json:"results"`
}

// ReadingsHandler serves POST /api/v1/readings: NDJSON, one reading a line.
type ReadingsHandler struct {
	Validator *Validator
	Devices   Registry
	Publish   bus.Publish
	Limiter   *KeyLimiter // per device; nil means no limit
	Logger    *slog.Logger
	// Keys are the senders allowed to write; nil lets anyone in (tests).
	Keys *Keys
	// IDs remembers the stored ids and their content; nil remembers none.
	IDs *IDs
	// PublishIDs makes new ids durable on bus.TopicIntakeIDs; optional.
	PublishIDs bus.Publish
}

// ServeHTTP validates every line on its own: good lines are published to
// Publish, the readings topic (ReadingRecord: keyed by device, so a device's
// readings stay in order) and a bad line is reported
// with its number, field and reason without holding the others back. It
// answers 200 with the per-line results once the good ones are durable, 429
// when every line was over its device's rate, 413 over the limits, 400 for a
// batch that is not NDJSON at all and 503 when the broker cannot take it.
func (h *ReadingsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, err := h.Keys.Authenticate(r)
	if err != nil {
		unauthorized(w, err)
		return
	}
	if !jsonBody(w, r) {
		return
	}
	if err := h.IDs.Wait(r.Context()); err != nil {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	res, msgs, hashes, wait, err := h.decodeBatch(key, http.MaxBytesReader(w, r.Body, MaxBatchBytes))
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
			for id, hash := range hashes {
				h.IDs.Release(id, hash)
			}
			h.logger().Error("publishing readings", "n", len(msgs), "err", err)
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, errors.New("the event bus is unavailable; retry the batch later"))
			return
		}
		keepIDs(r.Context(), h.IDs, h.PublishIDs, h.logger(), hashes)
	}
	code := http.StatusOK
	if res.Limited > 0 {
		SetRetryAfter(w, wait)
		if res.Accepted == 0 && res.Rejected == 0 {
			code = http.StatusTooManyRequests
		}
	}
	if n := len(res.Results); n > 0 && res.Accepted == 0 && res.Limited == 0 {
		if all(res.Results, "forbidden") {
			code = http.StatusForbidden
		} else if all(res.Results, "conflict") {
			code = http.StatusConflict
		}
	}
	writeJSON(w, code, res)
}

func all(rs []LineResult, status string) bool {
	for _, r := range rs {
		if r.Status != status {
			return false
		}
	}
	return true
}

var errTooManyLines = errors.New("too many lines")

// decodeBatch reads NDJSON lines and returns their results, the records of
// the good ones and the content hashes of the ids it claimed for them.
func (h *ReadingsHandler) decodeBatch(key *Key, body io.Reader) (BatchResult, []kafka.Message, map[string]string, time.Duration, error) {
	res := BatchResult{Results: []LineResult{}}
	var msgs []kafka.Message
	hashes := map[string]string{}
	release := func() {
		for id, hash := range hashes {
			h.IDs.Release(id, hash)
		}
	}
	var wait time.Duration
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4096), MaxEventBytes)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(res.Results) == MaxBatchLines {
			release()
			return res, nil, nil, 0, errTooManyLines
		}
		lr := LineResult{Line: n}
		ev, err := h.Validator.DecodeReading(h.Devices, line)
		if err == nil && key != nil {
			if err = key.Allows(ev.Source, ev.DeviceID); err != nil {
				lr.Status = "forbidden"
			} else if !strings.HasPrefix(ev.ID, PrefixReading) {
				ev.ID = key.Scope(ev.ID)
			}
		}
		if err == nil {
			if ok, d := h.Limiter.Allow(ev.DeviceID, time.Now()); !ok {
				lr.Status, lr.Error = "rate_limited", fmt.Sprintf("device %s is over its rate; retry in %s", ev.DeviceID, d.Round(time.Millisecond))
				res.Limited++
				wait = max(wait, d)
				res.Results = append(res.Results, lr)
				continue
			}
			hash := ContentHash(ev)
			switch h.IDs.Claim(ev.ID, hash) {
			case ClaimSame: // stored before: the same answer, not stored again
				lr.ID, lr.Status = ev.ID, "accepted"
				res.Accepted++
				res.Results = append(res.Results, lr)
				continue
			case ClaimConflict:
				lr.ID, lr.Status = ev.ID, "conflict"
				err = cityops.Invalid("id", "%s was stored with other content", ev.ID)
			default:
				var m kafka.Message
				if m, err = ReadingRecord(ev); err == nil {
					hashes[ev.ID] = hash
					lr.ID, lr.Status = ev.ID, "accepted"
					res.Accepted++
					msgs = append(msgs, m)
					res.Results = append(res.Results, lr)
					continue
				}
				h.IDs.Release(ev.ID, hash)
			}
		}
		if lr.Status == "" {
			lr.Status = "rejected"
		}
		lr.Error = err.Error()
		var fe *cityops.FieldError
		if errors.As(err, &fe) {
			lr.Field = fe.Field
		}
		res.Rejected++
		res.Results = append(res.Results, lr)
	}
	if err := sc.Err(); err != nil {
		release()
		if errors.Is(err, bufio.ErrTooLong) {
			return res, nil, nil, 0, cityops.Invalid("body", "line %d is longer than %d bytes", len(res.Results)+1, MaxEventBytes)
		}
		return res, nil, nil, 0, fmt.Errorf("reading the batch: %w", err)
	}
	return res, msgs, hashes, wait, nil
}

func (h *ReadingsHandler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}
