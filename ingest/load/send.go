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

// httpSender posts each event to the intake API.
type httpSender struct {
	t      *Traffic
	url    string
	key    string // intake key, sent as a bearer token
	client *http.Client
	mu     sync.Mutex
	errs   []string // a few examples of refusals and failures
}

func newHTTPSender(t *Traffic, target, key string, workers int) *httpSender {
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers, IdleConnTimeout: time.Minute}
	return &httpSender{t: t, url: target + "/api/v1/events", key: key, client: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
}

func (s *httpSender) send(ctx context.Context, first int, at []time.Time, tl *tally) {
	for i, ts := range at {
		n := first + i
		body, err := s.t.Request(n, ts)
		if err != nil {
			s.note(err.Error())
			tl.failed.Add(1)
			continue
		}
		code, msg, err := s.post(ctx, body)
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

func (s *httpSender) post(ctx context.Context, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
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

// kafkaSender produces the events straight to events.raw as intake would
// write them, a batch per call.
type kafkaSender struct {
	t    *Traffic
	w    *kafka.Writer
	mu   sync.Mutex
	errs []string
}

func (s *kafkaSender) send(ctx context.Context, first int, at []time.Time, tl *tally) {
	msgs := make([]kafka.Message, len(at))
	for i, ts := range at {
		m, err := s.t.Record(first+i, ts)
		if err != nil {
			s.note(err.Error())
			tl.failed.Add(int64(len(at)))
			return
		}
		msgs[i] = m
	}
	err := s.w.WriteMessages(ctx, msgs...)
	var werrs kafka.WriteErrors
	switch {
	case err == nil:
		for i := range at {
			tl.accept(first+i, s.t.Hotline(first+i))
		}
	case errors.As(err, &werrs):
		for i, e := range werrs {
			if e == nil {
				tl.accept(first+i, s.t.Hotline(first+i))
				continue
			}
			tl.failed.Add(1)
		}
		s.note(err.Error())
	default:
		if ctx.Err() == nil {
			s.note(err.Error())
		}
		tl.failed.Add(int64(len(at)))
	}
}

func (s *kafkaSender) note(e string) {
	s.mu.Lock()
	if len(s.errs) < 5 {
		s.errs = append(s.errs, e)
	}
	s.mu.Unlock()
}
