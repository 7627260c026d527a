package history

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// Limits on what one request may ask.
const (
	maxSpan      = 5 * 366 * 24 * time.Hour // the longest time range
	maxHourSpan  = 92 * 24 * time.Hour      // the longest range of an hourly trend
	defaultSpan  = 30 * 24 * time.Hour      // the range when from is not given
	maxLimit     = 10000                    // most rows of a heatmap or hotspot list
	defaultLimit = 1000
	maxValueLen  = 128
)

// Filter narrows what a query counts. Empty fields do not filter.
type Filter struct {
	From, To     time.Time // [From, To)
	Category     string
	Source       cityops.Source
	DepartmentID string
	Status       cityops.Status
	AreaID       string
}

// value is what a category, department or area id may look like: letters in
// any script, digits and a few separators.
var valueRe = regexp.MustCompile(`^[\p{L}\p{N}_.:/-]+$`)

// params reads the query string of one request: every parameter must be one
// the route takes, given once.
type params struct {
	v       url.Values
	allowed map[string]bool
	now     time.Time
}

func newParams(v url.Values, now time.Time, names ...string) (*params, error) {
	p := &params{v: v, allowed: map[string]bool{"format": true}, now: now}
	for _, n := range names {
		p.allowed[n] = true
	}
	for k, vs := range v {
		if !p.allowed[k] {
			return nil, cityops.Invalid(truncate(k), "unknown parameter")
		}
		if len(vs) > 1 {
			return nil, cityops.Invalid(k, "given %d times, want once", len(vs))
		}
	}
	return p, nil
}

func (p *params) get(name string) string { return p.v.Get(name) }

// filter reads from, to and the filters among names.
func (p *params) filter(span time.Duration) (Filter, error) {
	var f Filter
	var err error
	f.To = p.now.UTC().Truncate(time.Second)
	if s := p.get("to"); s != "" {
		if f.To, err = parseTime("to", s); err != nil {
			return f, err
		}
	}
	f.From = f.To.Add(-defaultSpan)
	if s := p.get("from"); s != "" {
		if f.From, err = parseTime("from", s); err != nil {
			return f, err
		}
	}
	if !f.From.Before(f.To) {
		return f, cityops.Invalid("from", "%s is not before to (%s)", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	if f.To.Sub(f.From) > span {
		return f, cityops.Invalid("to", "the range from %s is longer than %d days", f.From.Format(time.RFC3339), int(span.Hours()/24))
	}
	if f.Category, err = p.value("category"); err != nil {
		return f, err
	}
	if f.DepartmentID, err = p.value("department"); err != nil {
		return f, err
	}
	if f.AreaID, err = p.value("area"); err != nil {
		return f, err
	}
	if s := p.get("source"); s != "" {
		if f.Source = cityops.Source(s); !f.Source.Valid() {
			return f, cityops.Invalid("source", "%q: want hotline or iot", truncate(s))
		}
	}
	if s := p.get("status"); s != "" {
		if f.Status = cityops.Status(s); !f.Status.Valid() {
			return f, cityops.Invalid("status", "%q is not a status", truncate(s))
		}
	}
	return f, nil
}

// parseTime takes RFC 3339 or a date (midnight UTC) that a DateTime can hold.
func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, cityops.Invalid(name, "%q: want RFC 3339 (2026-03-01T00:00:00Z) or a date (2026-03-01)", truncate(s))
		}
	}
	if t.Unix() < 0 || t.Unix() > 1<<32-1 {
		return time.Time{}, cityops.Invalid(name, "%s is outside 1970..2106", t.Format(time.RFC3339))
	}
	return t.UTC(), nil
}

// value reads an optional id-like parameter.
func (p *params) value(name string) (string, error) {
	s := p.get(name)
	if s == "" {
		return "", nil
	}
	if len(s) > maxValueLen || !valueRe.MatchString(s) {
		return "", cityops.Invalid(name, "%q: want at most %d letters, digits and _ . : / -", truncate(s), maxValueLen)
	}
	return s, nil
}

// intIn reads an optional integer parameter that must lie in [lo, hi].
func (p *params) intIn(name string, def, lo, hi int) (int, error) {
	s := p.get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, cityops.Invalid(name, "%q: want a whole number from %d to %d", truncate(s), lo, hi)
	}
	return n, nil
}

// oneOf reads an optional parameter that must be one of choices; the first
// is the default.
func (p *params) oneOf(name string, choices ...string) (string, error) {
	s := p.get(name)
	if s == "" {
		return choices[0], nil
	}
	for _, c := range choices {
		if s == c {
			return s, nil
		}
	}
	return "", cityops.Invalid(name, "%q: want one of %v", truncate(s), choices)
}

// truncate shortens what a client sent before it is echoed in an error.
func truncate(s string) string {
	const n = 40
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// parseQuery splits a raw query string at '&' only: a ';' stays in the value,
// where the checks refuse it, instead of silently dropping the pair as
// url.ParseQuery does.
func parseQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, cityops.Invalid("query", "%q is not URL-encoded", truncate(k))
		}
		if val, err = url.QueryUnescape(val); err != nil {
			return nil, cityops.Invalid(truncate(key), "the value is not URL-encoded")
		}
		v[key] = append(v[key], val)
	}
	return v, nil
}
