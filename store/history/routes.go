package history

import (
	"net/url"
	"time"

	"github.com/cityops/cityops"
)

// A route turns a request's parameters into a query. Each route lists the
// parameters it takes; any other is refused.
type route struct {
	name   string // the path below /api/v1/history/
	build  func(db string, p *params, l layout) (query, error)
	names  []string
	tables []string // the tables it reads, whose parts decide where FINAL is needed
}

var filterNames = []string{"from", "to", "category", "source", "department", "status", "area"}

func withFilters(names ...string) []string {
	return append(append([]string(nil), filterNames...), names...)
}

var routes = []route{
	{"heatmap", buildHeatmap, withFilters("res", "limit"), []string{"incidents"}},
	{"trends", buildTrends, withFilters("bucket", "by"), []string{"incidents"}},
	{"departments", buildDepartments, withFilters("by"), []string{"incidents", "transition_accepts", "transition_marks", "transition_figures"}},
	{"hotspots", buildHotspots, withFilters("res", "min_weeks", "limit"), []string{"events"}},
	{"devices", buildDevices, []string{"from", "area"}, nil},
	{"readings", buildReadings, []string{"device", "area", "type", "from", "to", "step", "exact"}, []string{"readings"}},
}

func buildHeatmap(db string, p *params, l layout) (query, error) {
	res, err := p.intIn("res", 7, 5, 9)
	if err != nil {
		return query{}, err
	}
	if _, ok := cellColumns[res]; !ok {
		return query{}, cityops.Invalid("res", "%d: want 5, 7 or 9", res)
	}
	limit, err := p.intIn("limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return query{}, err
	}
	f, err := p.filter(maxSpan)
	if err != nil {
		return query{}, err
	}
	return heatmapQuery(db, f, res, limit, l), nil
}

func buildTrends(db string, p *params, l layout) (query, error) {
	bucket, err := p.oneOf("bucket", "day", "hour", "week")
	if err != nil {
		return query{}, err
	}
	by, err := p.oneOf("by", "category", "area", "district")
	if err != nil {
		return query{}, err
	}
	span := time.Duration(maxSpan)
	if bucket == "hour" {
		span = maxHourSpan
	}
	f, err := p.filter(span)
	if err != nil {
		return query{}, err
	}
	return trendQuery(db, f, bucket, by, l), nil
}

func buildDepartments(db string, p *params, l layout) (query, error) {
	f, err := p.filter(maxSpan)
	if err != nil {
		return query{}, err
	}
	by, err := p.oneOf("by", "department", "month", "category", "area")
	if err != nil {
		return query{}, err
	}
	if by == "department" {
		by = ""
	}
	return departmentQuery(db, f, by, l), nil
}

func buildHotspots(db string, p *params, l layout) (query, error) {
	res, err := p.intIn("res", 9, 5, 9)
	if err != nil {
		return query{}, err
	}
	if _, ok := cellColumns[res]; !ok {
		return query{}, cityops.Invalid("res", "%d: want 5, 7 or 9", res)
	}
	weeks, err := p.intIn("min_weeks", 3, 2, 520)
	if err != nil {
		return query{}, err
	}
	limit, err := p.intIn("limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return query{}, err
	}
	f, err := p.filter(maxSpan)
	if err != nil {
		return query{}, err
	}
	if p.get("status") != "" || p.get("source") != "" {
		return query{}, cityops.Invalid(pick(p.get("status") != "", "status", "source"), "hotspots count hotline complaints; this filter does not apply")
	}
	return hotspotQuery(db, f, res, weeks, limit, l), nil
}

// buildTransitions checks an incident id taken from the path.
func buildTransitions(db, id string, p *params) (query, error) {
	if id == "" || len(id) > maxValueLen || !valueRe.MatchString(id) {
		return query{}, cityops.Invalid("id", "%q: want at most %d letters, digits and _ . : / -", truncate(id), maxValueLen)
	}
	return transitionsQuery(db, id), nil
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// findRoute returns the route called name.
func findRoute(name string) (route, error) {
	for _, r := range routes {
		if r.name == name {
			return r, nil
		}
	}
	return route{}, cityops.Invalid("path", "no query named %q", truncate(name))
}

// build makes the query of the named route from a query string, for the
// parts in l.
func build(db, name string, v url.Values, now time.Time, l layout) (query, error) {
	r, err := findRoute(name)
	if err != nil {
		return query{}, err
	}
	p, err := newParams(v, now, r.names...)
	if err != nil {
		return query{}, err
	}
	return r.build(db, p, l)
}
