package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/cityops/cityops"
	"github.com/segmentio/kafka-go"
)

// Publish writes records to the raw events topic and returns once they are
// durable. A kafka.Writer's WriteMessages is one.
type Publish func(ctx context.Context, msgs ...kafka.Message) error

// Handler serves POST /api/v1/events.
type Handler struct {
	Validator *Validator
	Publish   Publish
	Logger    *slog.Logger
}

// ServeHTTP accepts one JSON event. It answers 202 with the event's id once
// the broker has it, 400 with the field at fault for a bad event, 413 for a
// body over the limit and 503 when the broker cannot take it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEventBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, cityops.Invalid("body", "larger than %d bytes", MaxEventBytes))
			return
		}
		writeError(w, http.StatusBadRequest, cityops.Invalid("body", "reading: %v", err))
		return
	}
	ev, err := h.Validator.DecodeEvent(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if ev.ID == "" {
		ev.ID = NewID()
	}
	v, err := json.Marshal(ev)
	if err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Errorf("encoding event: %w", err))
		return
	}
	if err := h.Publish(r.Context(), kafka.Message{Key: []byte(ev.ID), Value: v}); err != nil {
		h.logger().Error("publishing event", "id", ev.ID, "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, errors.New("the event bus is unavailable; retry later"))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": ev.ID, "status": "accepted"})
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// errorBody is the JSON error every intake endpoint answers with.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, code int, err error) {
	body := errorBody{Error: err.Error()}
	var fe *cityops.FieldError
	if errors.As(err, &fe) {
		body.Field = fe.Field
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
