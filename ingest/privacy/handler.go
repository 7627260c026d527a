package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Audit is one read of a caller's personal data.
type Audit struct {
	Time     time.Time `json:"time"`
	Officer  string    `json:"officer"`
	RecordID string    `json:"record_id"`
	Reason   string    `json:"reason"`
	Remote   string    `json:"remote"`
}

// AuditFunc makes an audit record durable; a read is answered only after it
// returned nil.
type AuditFunc func(ctx context.Context, a Audit) error

// Handler serves GET /api/v1/callers/{id}: the unmasked caller of a record,
// for an officer holding a bearer token, with a stated reason.
type Handler struct {
	Sealer   *Sealer
	Vault    *Vault
	Officers map[string]string // bearer token -> officer name
	Audit    AuditFunc
	Logger   *slog.Logger
	Now      func() time.Time
}

// ServeHTTP answers 401 without a known token, 400 without a reason, 404 for
// a record without a caller, 503 when the audit cannot be written, and the
// caller otherwise.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	officer, ok := h.Officers[tok]
	if tok == "" || !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callers"`)
		reply(w, http.StatusUnauthorized, map[string]string{"error": "a valid officer token is required"})
		return
	}
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		reply(w, http.StatusBadRequest, map[string]string{"error": "reason: required, at most 500 characters", "field": "reason"})
		return
	}
	id := r.PathValue("id")
	sealed, ok := h.Vault.Get(id)
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no caller recorded for " + id})
		return
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	a := Audit{Time: now().UTC(), Officer: officer, RecordID: id, Reason: reason, Remote: r.RemoteAddr}
	if err := h.Audit(r.Context(), a); err != nil {
		h.logger().Error("writing caller audit", "id", id, "err", err)
		reply(w, http.StatusServiceUnavailable, map[string]string{"error": "the audit log is unavailable"})
		return
	}
	c, err := h.Sealer.Open(id, sealed)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, ErrSealed) {
			status = http.StatusConflict
		}
		reply(w, status, map[string]string{"error": err.Error()})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	reply(w, http.StatusOK, c)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
