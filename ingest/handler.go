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
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// Handler serves POST /api/v1/events.
type Handler struct {
	Validator *Validator
	Publish   bus.Publish
	Logger    *slog.Logger
	// Keys are the senders allowed to write; nil lets anyone in (tests).
	Keys *Keys
	// Devices is the registry a source iot event must name a device of
	// (when it has any); the event takes the device's position.
	Devices Registry
	// IDs remembers the stored ids and their content; nil remembers none.
	IDs *IDs
	// PublishIDs makes new ids durable on bus.TopicIntakeIDs; optional.
	PublishIDs bus.Publish
}

// ServeHTTP accepts one JSON event from a known sender. It answers 202 with
// the event's stored id once the broker has it (and 200 with the same id
// for an identical resend, which is not stored again); 401 without a known
// key, 403 for a source or device the key may not send, 415 for a body that
// is not JSON, 400 with the field at fault for a bad event, 409 for an id
// already stored with other content, 413 for a body over the limit and 503
// when the broker cannot take it.
//
// The client's id is scoped by the key: the stored id is <key name>:<id>.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, err := h.Keys.Authenticate(r)
	if err != nil {
		unauthorized(w, err)
		return
	}
	if !jsonBody(w, r) {
		return
	}
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
	req, err := DecodeEventRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := h.checkRequest(&req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if key != nil {
		if err := key.Allows(cityops.Source(req.Source), req.DeviceID); err != nil {
			writeError(w, http.StatusForbidden, err)
			return
		}
	}
	ev, err := h.Validator.validate(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	client := ev.ID != ""
	switch {
	case !client:
		ev.ID = NewID()
		if key != nil {
			ev.ID = key.Scope(ev.ID)
		}
	case key != nil:
		ev.ID = key.Scope(ev.ID)
	}
	hash := ContentHash(ev)
	if client {
		if err := h.IDs.Wait(r.Context()); err != nil {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, err)
			return
		}
		switch h.IDs.Claim(ev.ID, hash) {
		case ClaimSame:
			writeJSON(w, http.StatusOK, map[string]string{"id": ev.ID, "status": "accepted"})
			return
		case ClaimConflict:
			writeError(w, http.StatusConflict, cityops.Invalid("id", "%s was stored with other content; send a new id for a new event", ev.ID))
			return
		}
	}
	v, err := json.Marshal(ev)
	if err != nil {
		h.IDs.Release(ev.ID, hash)
		writeError(w, http.StatusInternalServerError, fmt.Errorf("encoding event: %w", err))
		return
	}
	if err := h.Publish(r.Context(), kafka.Message{Key: []byte(ev.ID), Value: v}); err != nil {
		h.IDs.Release(ev.ID, hash)
		h.logger().Error("publishing event", "id", ev.ID, "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, errors.New("the event bus is unavailable; retry later"))
		return
	}
	if client {
		keepIDs(r.Context(), h.IDs, h.PublishIDs, h.logger(), map[string]string{ev.ID: hash})
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": ev.ID, "status": "accepted"})
}

// checkRequest refuses what no client may send on the events API (ids and
// types of reserved namespaces or with personal data) and, for a sensor
// event, puts the registered device's position in.
func (h *Handler) checkRequest(req *EventRequest) error {
	if req.ID != "" {
		if err := CheckClientID("id", req.ID); err != nil {
			return err
		}
	}
	if err := CheckClientType(req.Type); err != nil {
		return err
	}
	if cityops.Source(req.Source) != cityops.SourceIoT || len(h.Devices) == 0 || req.DeviceID == "" {
		return nil
	}
	d, ok := h.Devices[req.DeviceID]
	if !ok {
		return cityops.Invalid("device_id", "%q is not a registered device", req.DeviceID)
	}
	lat, lon := d.Lat, d.Lon
	req.Lat, req.Lon = &lat, &lon
	if req.Unit == "" {
		req.Unit = d.Unit
	}
	return nil
}

// keepIDs makes new ids durable on the id topic. The events are durable
// already: a failure here is logged, and this process still remembers them.
func keepIDs(ctx context.Context, ids *IDs, publish bus.Publish, log *slog.Logger, hashes map[string]string) {
	if ids == nil || publish == nil || len(hashes) == 0 {
		return
	}
	msgs := make([]kafka.Message, 0, len(hashes))
	for id, h := range hashes {
		msgs = append(msgs, ids.Record(id, h))
	}
	if err := publish(ctx, msgs...); err != nil {
		log.Error("keeping intake ids", "n", len(msgs), "err", err)
	}
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
