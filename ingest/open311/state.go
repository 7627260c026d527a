package open311

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest/privacy"
)

// Durable state: with Config.List and Config.Find every GET of requests is
// answered from the store, so that it reads the same on every replica and
// after a restart, whatever this process created.

// Stored is a request read from the store with the state of its incident:
// the incident it founded or the one it was merged into.
type Stored struct {
	Record
	Incident string // the incident's id; empty when the store has no incident for it yet
	Known    bool   // the store has the incident's state
	State    cityops.Status
	Agency   string // the responsible department's id
	Updated  time.Time
	Expected time.Time
	Steps    []Step // the incident's steps, oldest first, for status_notes
}

// Step is one step of an incident, as status_notes tells it.
type Step struct {
	Action string // adopt, register, dispatch, accept, start, note, resolve, verify, close, return, rework, reopen, cancel, feedback, ...
	To     cityops.Status
	Agency string // the department the step counts for, by id
	Reason string // a coded reason
	Note   string // the actor's text
	Time   time.Time
}

// Query selects a page of requests.
type Query struct {
	Codes    []string  // service codes; any when empty
	From, To time.Time // requested within [From, To]
	Open     bool      // only open requests (neither Open nor Closed: both)
	Closed   bool      // only closed ones
	Offset   int
	Limit    int
}

// ListFunc reads a page of requests from the store, newest first, with
// their incidents' state and steps.
type ListFunc func(ctx context.Context, q Query) ([]Stored, error)

// FindFunc reads requests by id from the store, with their incidents' state
// and steps; the answer holds the ones found.
type FindFunc func(ctx context.Context, ids []string) (map[string]Stored, error)

// TokenFunc reads the id of the request whose token is token from the
// store.
type TokenFunc func(ctx context.Context, token string) (id string, ok bool, err error)

// Agency names a department in the languages of status notes.
type Agency struct{ Name, NameEN string }

// The languages of status notes.
const (
	langZH = "zh"
	langEN = "en"
)

// language is the language of a request's answer: the lang argument, else
// the first Accept-Language the notes are written in, else the pack's.
func (s *Server) language(r *http.Request) string {
	if l := pickLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l := pickLang(tag); l != "" {
			return l
		}
	}
	if l := pickLang(s.cfg.Locale); l != "" {
		return l
	}
	return langEN
}

func pickLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "zh" || strings.HasPrefix(tag, "zh-") || strings.HasPrefix(tag, "zh_"):
		return langZH
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return langEN
	}
	return ""
}

// agencyName is department id's name in lang, or the id.
func (s *Server) agencyName(id, lang string) string {
	a, ok := s.cfg.Agencies[id]
	switch {
	case !ok:
		return id
	case lang == langEN && a.NameEN != "":
		return a.NameEN
	case a.Name != "":
		return a.Name
	}
	return id
}

// maxNotes is how many steps status_notes tells, the latest; maxNoteText
// how many characters of one note or reason it quotes.
const (
	maxNotes    = 6
	maxNoteText = 200
)

// statusNotes says in lang what happened to a request's incident: who it
// was dispatched to, why it was returned, what resolved it, whether it was
// reopened, the latest steps last. A note is masked again, since it is
// shown to anyone.
func (s *Server) statusNotes(st Stored, lang string) string {
	var out []string
	for _, step := range st.Steps {
		if line := s.stepNote(step, lang); line != "" {
			out = append(out, line)
		}
	}
	if len(out) > maxNotes {
		out = out[len(out)-maxNotes:]
	}
	if len(out) == 0 {
		if st.Known {
			return statusWord(st.State, lang)
		}
		return ""
	}
	sep := " "
	if lang == langZH {
		sep = ""
	}
	return strings.Join(out, sep)
}

func (s *Server) stepNote(st Step, lang string) string {
	agency := s.agencyName(st.Agency, lang)
	note, reason := quote(st.Note), reasonText(st.Reason, lang)
	zh := lang == langZH
	with := func(en, cn, extra string) string {
		if zh {
			if extra != "" {
				return cn + "：" + extra + "。"
			}
			return cn + "。"
		}
		if extra != "" {
			return en + ": " + extra + "."
		}
		return en + "."
	}
	switch st.Action {
	case "adopt", "register":
		if st.Action == "register" {
			return with("Registered", "已立案", "")
		}
		return ""
	case "dispatch", "arbitrate":
		if agency == "" {
			return ""
		}
		return with("Dispatched to "+agency, "已派发至"+agency, "")
	case "accept":
		return with("Accepted by "+agency, agency+"已受理", "")
	case "start":
		return with(agency+" started work", agency+"已开始处置", "")
	case "return":
		return with("Returned by "+agency, agency+"退回", reason)
	case "resolve":
		return with("Resolved by "+agency, agency+"已办结", note)
	case "verify":
		return with("Verified", "已核查", "")
	case "rework":
		return with("Sent back to "+agency+" for rework", "核查未通过，退回"+agency+"重办", firstOf(note, reason))
	case "reopen":
		return with("Reopened and dispatched to "+agency, "已重新派发至"+agency+"办理", reason)
	case "close":
		return with("Closed", "已结案", "")
	case "cancel":
		return with("Cancelled", "已撤销", firstOf(reason, note))
	case "feedback":
		return with("Rated", "已回访", "")
	}
	return ""
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// quote masks a note and cuts it to maxNoteText characters.
func quote(s string) string {
	s = strings.Join(strings.Fields(privacy.MaskText(s)), " ")
	if utf8.RuneCountInString(s) <= maxNoteText {
		return s
	}
	r := []rune(s)
	return string(r[:maxNoteText]) + "…"
}

// reasonTexts are the coded reasons of returns, cancellations and
// reopenings, as a citizen reads them.
var reasonTexts = map[string][2]string{
	"not_responsible":   {"not this department's responsibility", "不属于本部门职责"},
	"wrong_location":    {"the location is outside the department's area", "位置不在本部门辖区"},
	"duplicate":         {"the same problem is already being handled", "同一问题已在处理"},
	"insufficient_info": {"too little information to act", "信息不足，无法处置"},
	"not_actionable":    {"nothing the department can do", "部门无法处置"},
	"repeat":            {"a repeat complaint", "重复投诉"},
	"dissatisfied":      {"the citizen was dissatisfied", "市民不满意，重新办理"},
}

func reasonText(code, lang string) string {
	if code == "" {
		return ""
	}
	if t, ok := reasonTexts[code]; ok {
		if lang == langZH {
			return t[1]
		}
		return t[0]
	}
	return quote(strings.ReplaceAll(code, "_", " "))
}

// statusWord is a status in lang.
func statusWord(st cityops.Status, lang string) string {
	words := map[cityops.Status][2]string{
		cityops.StatusReported: {"reported", "已上报"}, cityops.StatusRegistered: {"registered", "已立案"},
		cityops.StatusDispatched: {"dispatched", "已派发"}, cityops.StatusAccepted: {"accepted", "已受理"},
		cityops.StatusInProgress: {"in progress", "处置中"}, cityops.StatusResolved: {"resolved", "已办结"},
		cityops.StatusVerified: {"verified", "已核查"}, cityops.StatusClosed: {"closed", "已结案"},
		cityops.StatusCancelled: {"cancelled", "已撤销"},
	}
	w, ok := words[st]
	if !ok {
		return string(st)
	}
	if lang == langZH {
		return w[1]
	}
	return w[0]
}

// storedView is a stored request as GET requests shows it.
func (s *Server) storedView(st Stored, lang string) serviceRequest {
	rec := s.fill(st.Record)
	sr := serviceRequest{
		ID: rec.ID, Status: "open", ServiceName: rec.ServiceName, ServiceCode: rec.ServiceCode,
		Description: rec.Description, Requested: rec.Requested.UTC().Format(time.RFC3339),
		Address: rec.Address, AddressID: rec.AddressID, Lat: rec.Lat, Long: rec.Long, MediaURL: rec.MediaURL,
	}
	if !st.Known {
		return sr
	}
	if !st.State.Open() {
		sr.Status = "closed"
	}
	if st.Agency != "" {
		sr.AgencyResponsible = s.agencyName(st.Agency, lang)
	}
	sr.StatusNotes = s.statusNotes(st, lang)
	if !st.Updated.IsZero() {
		sr.Updated = st.Updated.UTC().Format(time.RFC3339)
	}
	if !st.Expected.IsZero() {
		sr.Expected = st.Expected.UTC().Format(time.RFC3339)
	}
	return sr
}

// errStore is a failed read of the store: 503.
func errStore(err error) error { return fmt.Errorf("%w: reading requests: %v", errStoreDown, err) }
