package taskapi

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/prometheus/client_golang/prometheus"
)

// Config wires an API.
type Config struct {
	Service *tasks.Service
	Tokens  Tokens
	Audit   Audit // optional: where refused attempts go besides the log
	// Owners names the replica that holds each partition when incidents are
	// split across replicas; nil when this replica holds them all.
	Owners *tasks.Owners
	// ClusterSecret signs the requests replicas forward to each other and
	// authenticates those they receive; required with Owners, at least
	// MinSecret bytes.
	ClusterSecret []byte
	Client        *http.Client // for listing the other replicas' tasks (default: 10 s timeout)
	Registry      prometheus.Registerer
	Logger        *slog.Logger
}

// API serves the tasks API.
type API struct {
	svc    *tasks.Service
	auth   authenticator
	audit  Audit
	owners *tasks.Owners
	secret []byte
	client *http.Client
	log    *slog.Logger
	denied *prometheus.CounterVec
}

// New returns the API.
func New(cfg Config) (*API, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Owners != nil && len(cfg.ClusterSecret) < MinSecret {
		return nil, fmt.Errorf("starting the tasks API: replicas need a cluster secret of at least %d bytes, got %d", MinSecret, len(cfg.ClusterSecret))
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	a := &API{svc: cfg.Service, auth: newAuthenticator(cfg.Tokens), audit: cfg.Audit, log: cfg.Logger, owners: cfg.Owners, secret: cfg.ClusterSecret, client: cfg.Client,
		denied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cityops_tasks_api_denied_total", Help: "Requests to the tasks API refused, by reason.",
		}, []string{"reason"}),
	}
	if cfg.Registry != nil {
		if err := cfg.Registry.Register(a.denied); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Routes returns the API's routes for web.Config.API.
func (a *API) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /api/v1/tasks":                http.HandlerFunc(a.list),
		"GET /api/v1/tasks/{id}":           http.HandlerFunc(a.get),
		"POST /api/v1/tasks/{id}/{action}": http.HandlerFunc(a.act),
		"GET /api/v1/tasks/reasons":        http.HandlerFunc(a.reasons),
	}
}

// CenterOnly serves h to the center only; anyone else gets 403, audited.
func (a *API) CenterOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := a.authenticate(w, r)
		if !ok {
			return
		}
		if !actor.Center {
			a.deny(w, r, actor, "", "only the center reads this")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// deny answers 403 and audits the attempt.
func (a *API) deny(w http.ResponseWriter, r *http.Request, actor lifecycle.Actor, id, reason string) {
	rec := AuditRecord{Time: time.Now().UTC(), Actor: actor.String(), Method: r.Method, Path: r.URL.Path,
		Incident: id, Reason: reason, Remote: r.RemoteAddr}
	a.log.Warn("tasks API access refused", "audit", true, "actor", rec.Actor, "method", rec.Method, "path", rec.Path, "reason", reason)
	a.denied.WithLabelValues("forbidden").Inc()
	if a.audit != nil {
		a.audit(r.Context(), rec)
	}
	writeError(w, http.StatusForbidden, reason)
}

// noTask answers a department that asks for a task it may not see exactly
// as it answers one that asks for a task that does not exist: the same 404,
// body and headers, after the same work. Both are audited, so the center
// sees a department probing for ids.
func (a *API) noTask(w http.ResponseWriter, r *http.Request, actor lifecycle.Actor, id string, exists bool) {
	reason := "no such task"
	if exists {
		reason = "the task belongs to another department"
	}
	rec := AuditRecord{Time: time.Now().UTC(), Actor: actor.String(), Method: r.Method, Path: r.URL.Path,
		Incident: id, Reason: reason, Remote: r.RemoteAddr}
	a.log.Warn("tasks API access refused", "audit", true, "actor", rec.Actor, "method", rec.Method, "path", rec.Path, "reason", reason)
	a.denied.WithLabelValues("not_found").Inc()
	if a.audit != nil {
		a.audit(r.Context(), rec)
	}
	writeError(w, http.StatusNotFound, noTaskMessage(id))
}

// noTaskMessage is the error of a 404 for a task.
func noTaskMessage(id string) string { return "no task " + id }

// authenticate returns the caller: the one its bearer token names, or, for
// a request another replica forwarded, the one that replica vouches for
// with the cluster secret. Anything else is 401.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (lifecycle.Actor, bool) {
	if forwarded(r) {
		return a.authenticateForward(w, r)
	}
	actor, ok := a.auth.actor(r)
	if !ok {
		a.denied.WithLabelValues("unauthenticated").Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="cityops"`)
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
	}
	return actor, ok
}

// authenticateForward checks a forwarded request's signature over its
// body, which it reads and puts back for the handler.
func (a *API) authenticateForward(w http.ResponseWriter, r *http.Request) (lifecycle.Actor, bool) {
	raw, rerr := readBody(w, r)
	if rerr != nil {
		writeError(w, rerr.code, rerr.msg)
		return lifecycle.Actor{}, false
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
	self := ""
	if a.owners != nil {
		self = a.owners.Self()
	}
	actor, err := verifyForward(r, raw, a.secret, self, time.Now())
	if err != nil {
		a.denied.WithLabelValues("bad_forward").Inc()
		a.log.Warn("tasks API refused a forwarded request", "audit", true, "from", r.Header.Get(HeaderForwarded),
			"remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusUnauthorized, "forwarded request refused: "+err.Error())
		return lifecycle.Actor{}, false
	}
	return actor, true
}

func (a *API) reasons(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.authenticate(w, r); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"return": lifecycle.ReturnReasons, "cancel": lifecycle.CancelReasons,
		"reopen": lifecycle.ReopenReasons, "feedback_result": lifecycle.FeedbackResults, "feedback_channel": lifecycle.FeedbackChannels})
}
