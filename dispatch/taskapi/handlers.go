package taskapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/ingest/privacy"
)

// taskView is a task as the API shows it.
type taskView struct {
	lifecycle.Task
	Stages []sla.StageDeadline `json:"stages,omitempty"`
}

func (a *API) view(t lifecycle.Task) taskView {
	return taskView{Task: t, Stages: a.svc.Stages(&t)}
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	actor, ok := a.authenticate(w, r)
	if !ok || !a.ready(w) {
		return
	}
	q := r.URL.Query()
	f := tasks.Filter{Department: q.Get("department"), Status: cityops.Status(q.Get("status")), Category: q.Get("category"),
		Area: q.Get("area"), Open: q.Get("open") == "true", Overdue: q.Get("overdue") == "true"}
	var err error
	if f.Offset, err = intParam(q.Get("offset")); err != nil {
		writeError(w, http.StatusBadRequest, "offset: "+err.Error())
		return
	}
	if f.Limit, err = intParam(q.Get("limit")); err != nil {
		writeError(w, http.StatusBadRequest, "limit: "+err.Error())
		return
	}
	if actor.Department != "" {
		if f.Department != "" && f.Department != actor.Department {
			a.deny(w, r, actor, "", "a department lists its own tasks only")
			return
		}
		// Its own tasks, and those it cooperates on (read-only but for notes).
		f.Department, f.Member = "", actor.Department
	}
	if a.owners != nil && q.Get("scope") != "local" && !forwarded(r) {
		a.listAll(w, r, actor, f)
		return
	}
	page, total := a.svc.List(f)
	views := make([]taskView, len(page))
	for i, t := range page {
		views[i] = a.view(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": views, "total": total, "offset": f.Offset, "limit": len(views)})
}

func intParam(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return n, nil
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	actor, ok := a.authenticate(w, r)
	if !ok || !a.ready(w) {
		return
	}
	id := r.PathValue("id")
	if !a.svc.Owns(id) {
		a.elsewhere(w, r, actor, id)
		return
	}
	t, found := a.svc.Get(id)
	switch {
	case actor.Department != "" && (!found || !member(t, actor.Department)):
		a.noTask(w, r, actor, id, found)
	case !found:
		writeError(w, http.StatusNotFound, noTaskMessage(id))
	default:
		writeJSON(w, http.StatusOK, a.view(t))
	}
}

// actions maps the API's action names to steps.
var actions = map[string]lifecycle.Action{
	"accept": lifecycle.Accept, "start": lifecycle.Start, "return": lifecycle.Return, "note": lifecycle.Note,
	"resolve": lifecycle.Resolve, "request-extension": lifecycle.AskMore,
	"register": lifecycle.Register, "cancel": lifecycle.Cancel, "dispatch": lifecycle.Dispatch, "verify": lifecycle.Verify,
	"arbitrate": lifecycle.Arbitrate, "extend": lifecycle.Extend, "pause": lifecycle.Pause, "resume": lifecycle.Resume,
	"feedback": lifecycle.Feedback,
}

func (a *API) act(w http.ResponseWriter, r *http.Request) {
	actor, ok := a.authenticate(w, r)
	if !ok || !a.ready(w) {
		return
	}
	id, name := r.PathValue("id"), r.PathValue("action")
	if !a.svc.Owns(id) {
		a.elsewhere(w, r, actor, id)
		return
	}
	action, known := actions[name]
	if !known {
		writeError(w, http.StatusNotFound, "no action "+name)
		return
	}
	var b body
	raw, rerr := readBody(w, r)
	if rerr == nil {
		b, rerr = decodeBody(raw, action)
	}
	if rerr != nil {
		writeError(w, rerr.code, rerr.msg)
		return
	}
	if actor.Department != "" {
		if t, found := a.svc.Get(id); !found || !member(t, actor.Department) {
			a.noTask(w, r, actor, id, found)
			return
		}
	}
	if reason := refused(actor, action, a.svc, id); reason != "" {
		a.deny(w, r, actor, id, reason)
		return
	}
	if action == lifecycle.Verify && b.Pass != nil && !*b.Pass {
		action = lifecycle.Rework
	}
	cmd := lifecycle.Command{Action: action, Actor: actor, Reason: b.Reason, Note: b.Note,
		Evidence: b.Evidence, Department: b.Department, Category: b.Category, Hours: hours(b)}
	if action == lifecycle.Feedback {
		cmd.Result, cmd.Channel, cmd.Note = b.Result, b.Channel, privacy.MaskText(b.Comment)
	}
	t, err := a.svc.Do(r.Context(), id, cmd)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, a.view(t))
	case errors.Is(err, tasks.ErrNotOwned): // the partition moved meanwhile
		a.elsewhere(w, r, actor, id)
	case errors.Is(err, tasks.ErrNotReady):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, lifecycle.ErrForbidden):
		a.deny(w, r, actor, id, err.Error())
	case errors.Is(err, cityops.ErrNotFound):
		writeError(w, http.StatusNotFound, noTaskMessage(id))
	case errors.Is(err, cityops.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, cityops.ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	default:
		a.log.Error("tasks API step failed", "incident", id, "action", action, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the step could not be recorded; try again")
	}
}

// hours is what extend adds to the deadline; 0 for other steps.
func hours(b body) float64 {
	if b.Hours == nil {
		return 0
	}
	return *b.Hours
}

// member reports whether dept leads t or cooperates on it.
func member(t lifecycle.Task, dept string) bool {
	return t.DepartmentID == dept || slices.Contains(t.Cooperating, dept)
}

// refused says why actor may not take action on the task with id, before
// its status is looked at, so that a caller learns nothing of tasks it may
// not touch: a department acts on its own tasks, a cooperating department
// only adds notes, an inspector only verifies.
func refused(actor lifecycle.Actor, action lifecycle.Action, svc *tasks.Service, id string) string {
	switch {
	case actor.Inspector != "":
		if action != lifecycle.Verify && action != lifecycle.Rework {
			return "an inspector only verifies resolved tasks"
		}
	case actor.Department != "":
		t, found := svc.Get(id)
		switch {
		case !found || t.DepartmentID == actor.Department:
		case slices.Contains(t.Cooperating, actor.Department):
			if action != lifecycle.Note {
				return "a cooperating department only adds notes; the lead department " + t.DepartmentID + " acts on the task"
			}
		default:
			return "the task belongs to another department"
		}
	}
	return ""
}

// ready answers 503 while the tasks are being loaded.
func (a *API) ready(w http.ResponseWriter) bool {
	if a.svc.Ready() {
		return true
	}
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, tasks.ErrNotReady.Error())
	return false
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
