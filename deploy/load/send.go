package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// sender delivers the events the pacer releases.
type sender interface {
	// send delivers events first..first+len(at)-1, released at the times at,
	// and counts each in tl.
	send(ctx context.Context, first int, at []time.Time, tl *tally)
}

// httpSender posts each event to the intake API: a hotline request to the
// events API, a reading to the readings API.
type httpSender struct {
	t           *Traffic
	url         string
	readingsURL string
	key         string // intake key, sent as a bearer token
	client      *http.Client
	mu          sync.Mutex
	errs        []string // a few examples of refusals and failures
}

func newHTTPSender(t *Traffic, target, key string, workers int) *httpSender {
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers, IdleConnTimeout: time.Minute}
	return &httpSender{t: t, url: target + "/api/v1/events", readingsURL: target + "/api/v1/readings", key: key, client: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
}

func (s *httpSender) send(ctx context.Context, first int, at []time.Time, tl *tally) {
	for i, ts := range at {
		n := first + i
		url, body, err := s.url, []byte(nil), error(nil)
		if s.t.Hotline(n) {
			body, err = s.t.Request(n, ts)
		} else {
			// A reading goes where gateways' HTTP readings go: one NDJSON
			// line to the readings API, onto readings.raw.
			var m kafka.Message
			m, err = s.t.Reading(n, ts)
			url, body = s.readingsURL, m.Value
		}
		if err != nil {
			s.note(err.Error())
			tl.failed.Add(1)
			continue
		}
		code, msg, err := s.post(ctx, url, body)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return // cut off by the end of the run: not counted
			}
			s.note(err.Error())
			tl.failed.Add(1)
		case code < 300:
			tl.accept(n, s.t.Hotline(n))
		case code < 500:
			s.note(fmt.Sprintf("%d %s", code, msg))
			tl.refused.Add(1)
		default:
			s.note(fmt.Sprintf("%d %s", code, msg))
			tl.failed.Add(1)
		}
	}
}

func (s *httpSender) post(ctx context.Context, url string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.key != "" {
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("posting event: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return resp.StatusCode, string(bytes.TrimSpace(msg)), nil
}

func (s *httpSender) note(e string) {
	s.mu.Lock()
	if len(s.errs) < 5 {
		s.errs = append(s.errs, e)
	}
	s.mu.Unlock()
}

// kafkaSender produces the events straight to the topics as intake would
// write them, a batch per call: hotline requests to events.raw, sensor
// readings to readings.raw as gateways write them.
type kafkaSender struct {
	t        *Traffic
	w        *kafka.Writer // events.raw
	readings *kafka.Writer // readings.raw
	mu       sync.Mutex
	errs     []string
}

func (s *kafkaSender) send(ctx context.Context, first int, at []time.Time, tl *tally) {
	var hot, rd []kafka.Message
	var hotN, rdN []int
	for i, ts := range at {
		n := first + i
		var m kafka.Message
		var err error
		if s.t.Hotline(n) {
			m, err = s.t.Record(n, ts)
			hot, hotN = append(hot, m), append(hotN, n)
		} else {
			m, err = s.t.Reading(n, ts)
			rd, rdN = append(rd, m), append(rdN, n)
		}
		if err != nil {
			s.note(err.Error())
			tl.failed.Add(int64(len(at)))
			return
		}
	}
	var wg sync.WaitGroup
	if len(hot) > 0 {
		wg.Go(func() { s.write(ctx, s.w, hot, hotN, tl) })
	}
	if len(rd) > 0 {
		s.write(ctx, s.readings, rd, rdN, tl)
	}
	wg.Wait()
}

// write produces msgs, events ns of the run, and counts them.
func (s *kafkaSender) write(ctx context.Context, w *kafka.Writer, msgs []kafka.Message, ns []int, tl *tally) {
	err := w.WriteMessages(ctx, msgs...)
	var werrs kafka.WriteErrors
	switch {
	case err == nil:
		for _, n := range ns {
			tl.accept(n, s.t.Hotline(n))
		}
	case errors.As(err, &werrs):
		for i, e := range werrs {
			if e == nil {
				tl.accept(ns[i], s.t.Hotline(ns[i]))
				continue
			}
			tl.failed.Add(1)
		}
		s.note(err.Error())
	default:
		if ctx.Err() == nil {
			s.note(err.Error())
		}
		tl.failed.Add(int64(len(msgs)))
	}
}

func (s *kafkaSender) note(e string) {
	s.mu.Lock()
	if len(s.errs) < 5 {
		s.errs = append(s.errs, e)
	}
	s.mu.Unlock()
}
