package history

import (
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// A sensor series: GET /api/v1/history/readings answers one device's series
// (?device=) or one area's series of one metric (?area=&type=), raw or
// aggregated to a step, as rows of time, type, min, max, avg and count.
//
// The server picks the table: the raw readings (deduplicated like every base
// table, so counts are exact) for steps under a minute, for ranges short
// enough to scan (seriesRawSpan) and with exact=1; otherwise the per-minute
// or per-hour aggregates of migration 0009, which are at-least-once (a batch
// replayed after a crash counts twice there). A step that would give more
// than maxPoints buckets is raised to the next step of stepLadder. The
// answer's X-Cityops-Series-Source (raw, minute or hour) and
// X-Cityops-Series-Step (seconds, 0 for raw rows) headers say what was done.
const (
	maxPoints         = 2000               // most buckets of one answer
	maxRawRows        = 10000              // most rows of step=raw
	defaultSeriesSpan = 24 * time.Hour     // the range when from is not given
	maxSeriesStep     = 7 * 24 * time.Hour // the longest step
)

// seriesRawSpan is the longest range read from raw readings, for a device
// (one key's rows, in order) and for an area (every device of it).
var seriesRawSpan = map[bool]time.Duration{false: 31 * 24 * time.Hour, true: 2 * 24 * time.Hour}

// stepLadder is the steps the server raises a step to, in seconds: each under
// a minute, a whole number of minutes under an hour, or of hours.
var stepLadder = []int64{1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800}

// series is a checked request for a series.
type series struct {
	device, area, typ string
	from, to          time.Time
	step              int64 // seconds; 0 for raw rows
	exact             bool
}

func buildReadings(db string, p *params, l layout) (query, error) {
	var sr series
	var err error
	if sr.device, err = p.value("device"); err != nil {
		return query{}, err
	}
	if sr.area, err = p.value("area"); err != nil {
		return query{}, err
	}
	if sr.typ, err = p.value("type"); err != nil {
		return query{}, err
	}
	switch {
	case sr.device == "" && sr.area == "":
		return query{}, cityops.Invalid("device", "give a device, or an area and a type")
	case sr.device != "" && sr.area != "":
		return query{}, cityops.Invalid("area", "give a device or an area, not both")
	case sr.area != "" && sr.typ == "":
		return query{}, cityops.Invalid("type", "an area's series is of one metric: give its type")
	}
	f, err := p.seriesRange()
	if err != nil {
		return query{}, err
	}
	sr.from, sr.to = f.From, f.To
	ex, err := p.oneOf("exact", "0", "1")
	if err != nil {
		return query{}, err
	}
	sr.exact = ex == "1"
	span := sr.to.Sub(sr.from)
	raw := p.get("step") == "raw"
	if raw {
		if sr.area != "" {
			return query{}, cityops.Invalid("step", "raw rows are a device's: an area's series needs a step")
		}
		if span > seriesRawSpan[false] {
			return query{}, cityops.Invalid("step", "raw rows cover at most %d days", int(seriesRawSpan[false].Hours()/24))
		}
		return sr.rawQuery(db, l), nil
	}
	if sr.step, err = parseStep(p.get("step")); err != nil {
		return query{}, err
	}
	sr.step = fitStep(sr.step, span)
	// Whole buckets: the range widens to the step's boundaries.
	sr.from = time.Unix(sr.from.Unix()/sr.step*sr.step, 0).UTC()
	sr.to = time.Unix((sr.to.Unix()+sr.step-1)/sr.step*sr.step, 0).UTC()
	rawSpan := seriesRawSpan[sr.area != ""]
	if sr.exact && sr.to.Sub(sr.from) > rawSpan {
		return query{}, cityops.Invalid("exact", "exact series read raw readings: at most %d days (hours for an area: %d)", int(seriesRawSpan[false].Hours()/24), int(seriesRawSpan[true].Hours()))
	}
	switch {
	case sr.step < 60 || sr.exact:
		if sr.to.Sub(sr.from) > rawSpan {
			return query{}, cityops.Invalid("step", "steps under a minute read raw readings: at most %s of them", rawSpan)
		}
		return sr.bucketQuery(db, l), nil
	case sr.to.Sub(sr.from) <= rawSpan:
		return sr.bucketQuery(db, l), nil
	case sr.step%3600 == 0 || sr.device != "" || !rawKept(l, sr.from):
		if sr.step%3600 != 0 { // devices have no minute table; an area's went with its raw readings
			sr.step = fitStep((sr.step+3599)/3600*3600, span)
			sr.from = time.Unix(sr.from.Unix()/sr.step*sr.step, 0).UTC()
			sr.to = time.Unix((sr.to.Unix()+sr.step-1)/sr.step*sr.step, 0).UTC()
		}
		return sr.aggregateQuery(db, "hour"), nil
	default:
		return sr.aggregateQuery(db, "minute"), nil
	}
}

// seriesRange reads from and to, a day by default, at most maxSpan.
func (p *params) seriesRange() (Filter, error) {
	var f Filter
	var err error
	f.To = p.now.UTC().Truncate(time.Second)
	if s := p.get("to"); s != "" {
		if f.To, err = parseTime("to", s); err != nil {
			return f, err
		}
	}
	f.From = f.To.Add(-defaultSeriesSpan)
	if s := p.get("from"); s != "" {
		if f.From, err = parseTime("from", s); err != nil {
			return f, err
		}
	}
	if !f.From.Before(f.To) {
		return f, cityops.Invalid("from", "%s is not before to (%s)", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	if f.To.Sub(f.From) > maxSpan {
		return f, cityops.Invalid("to", "the range from %s is longer than %d days", f.From.Format(time.RFC3339), int(maxSpan.Hours()/24))
	}
	return f, nil
}

// parseStep reads a step: empty (the server's choice), a Go duration (10s,
// 5m, 1h) or a number of days (1d, 7d). Under a minute any whole number of
// seconds, under an hour whole minutes, above whole hours.
func parseStep(s string) (int64, error) {
	if s == "" {
		return 1, nil
	}
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if days, err = strconv.Atoi(n); err == nil {
			d = time.Duration(days) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < time.Second || d > maxSeriesStep || d%time.Second != 0 {
		return 0, cityops.Invalid("step", "%q: want raw, or a step from 1s to 7d (10s, 5m, 1h, 1d)", truncate(s))
	}
	step := int64(d / time.Second)
	if step >= 60 && step%60 != 0 || step >= 3600 && step%3600 != 0 {
		return 0, cityops.Invalid("step", "%q: want whole minutes from a minute on, whole hours from an hour on", truncate(s))
	}
	return step, nil
}

// fitStep raises step to the smallest ladder step that keeps the range
// within maxPoints buckets, when step alone would not.
func fitStep(step int64, span time.Duration) int64 {
	secs := int64(span / time.Second)
	if (secs+step-1)/step <= maxPoints {
		return step
	}
	for _, s := range stepLadder {
		if s >= step && (secs+s-1)/s <= maxPoints {
			return s
		}
	}
	return stepLadder[len(stepLadder)-1]
}

// rawSince returns the start of the earliest month of raw readings kept
// (RetainReadings drops raw readings, and the areas' minute table, sooner than
// the hourly aggregates), and false when l does not tell (nil layout, or no
// readings at all).
func rawSince(l layout) (time.Time, bool) {
	p, ok := l["readings"]
	if !ok {
		return time.Time{}, false
	}
	var first uint32
	for m := range p.Settled {
		if first == 0 || m < first {
			first = m
		}
	}
	for m := range p.Unsettled {
		if first == 0 || m < first {
			first = m
		}
	}
	if first == 0 {
		return time.Time{}, false
	}
	return time.Date(int(first/100), time.Month(first%100), 1, 0, 0, 0, 0, time.UTC), true
}

// rawKept reports whether raw readings (and the areas' minute table) may still
// hold from: it is not before the earliest month kept.
func rawKept(l layout, from time.Time) bool {
	since, ok := rawSince(l)
	return !ok || !from.Before(since)
}

// where is the condition on readings (or on an aggregate table whose time
// column is timeCol) and its arguments.
func (sr series) where(timeCol string) (string, []any) {
	conds := []string{timeCol + " >= toDateTime(?)", timeCol + " < toDateTime(?)"}
	args := []any{sr.from.Unix(), sr.to.Unix()}
	if sr.device != "" {
		conds = append([]string{"device_id = ?"}, conds...)
		args = append([]any{sr.device}, args...)
	} else {
		conds = append([]string{"area_id = ?"}, conds...)
		args = append([]any{sr.area}, args...)
	}
	if sr.typ != "" {
		conds = append(conds, "type = ?")
		args = append(args, sr.typ)
	}
	return strings.Join(conds, " AND "), args
}

// seriesColumns are the columns of every series answer after its time.
const seriesColumns = " AS time, type, "

// rawQuery lists a device's readings, one row each, in time order.
func (sr series) rawQuery(db string, l layout) query {
	w, args := sr.where("time")
	from, args := source(db, "readings", "time AS at, time_ms, id, type, value", "time", w, args, l)
	return query{
		sql: "SELECT at" + seriesColumns + "value AS min, value AS max, value AS avg, toUInt64(1) AS count" +
			" FROM " + from + " ORDER BY time_ms, id LIMIT ?",
		args:    append(args, maxRawRows),
		headers: seriesHeaders("raw", 0),
	}
}

// bucketQuery aggregates raw readings to the step: exact. The part of the
// range before the earliest month of raw readings kept, if any, comes from
// the hourly aggregates, when the step is whole hours and exact is not asked.
func (sr series) bucketQuery(db string, l layout) query {
	if since, ok := rawSince(l); ok && !sr.exact && sr.from.Before(since) && since.Before(sr.to) && sr.step%3600 == 0 {
		early, late := sr, sr
		early.to, late.from = since, since
		a, b := early.aggregateQuery(db, "hour"), late.bucketQuery(db, l)
		return query{
			sql:     "SELECT * FROM (" + a.sql + " UNION ALL " + b.sql + ") ORDER BY type, time",
			args:    append(a.args, b.args...),
			headers: seriesHeaders("hour+raw", sr.step),
		}
	}
	w, args := sr.where("time")
	from, args := source(db, "readings", "time AS at, type, value", "time", w, args, l)
	return query{
		sql: "SELECT toDateTime(intDiv(toUInt32(at), ?) * ?)" + seriesColumns +
			"min(value) AS min, max(value) AS max, avg(value) AS avg, count() AS count" +
			" FROM " + from + " GROUP BY time, type ORDER BY type, time",
		args:    append([]any{sr.step, sr.step}, args...),
		headers: seriesHeaders("raw", sr.step),
	}
}

// aggregateQuery merges the per-minute (areas only) or per-hour aggregates
// (res is "minute" or "hour", a constant) to the step.
func (sr series) aggregateQuery(db, res string) query {
	table := map[string]string{"minute": "readings_area_minute", "hour": "readings_hourly"}[res]
	if sr.area != "" && res == "hour" {
		table = "readings_area_hourly"
	}
	w, args := sr.where(res)
	return query{
		sql: "SELECT toDateTime(intDiv(toUInt32(" + res + "), ?) * ?)" + seriesColumns +
			"minMerge(low) AS min, maxMerge(high) AS max, sumMerge(total) / countMerge(n) AS avg, countMerge(n) AS count" +
			" FROM " + db + "." + table + " WHERE " + w + " GROUP BY time, type ORDER BY type, time",
		args:    append([]any{sr.step, sr.step}, args...),
		headers: seriesHeaders(res, sr.step),
	}
}

func seriesHeaders(source string, step int64) map[string]string {
	return map[string]string{"X-Cityops-Series-Source": source, "X-Cityops-Series-Step": strconv.FormatInt(step, 10)}
}

// maxLatestSpan is how far back GET /api/v1/history/devices looks.
const (
	defaultLatestSpan = 2 * time.Hour
	maxLatestSpan     = 24 * time.Hour
)

// buildDevices answers the latest reading of every device and metric (in
// area, when given) taken since from (two hours ago by default, a day at
// most), from readings_latest: its time and value. The live map colours
// devices by it. A device's rows are collapsed with argMax, exact whether
// or not they have merged.
func buildDevices(db string, p *params, _ layout) (query, error) {
	now := p.now.UTC().Truncate(time.Second)
	from := now.Add(-defaultLatestSpan)
	if s := p.get("from"); s != "" {
		var err error
		if from, err = parseTime("from", s); err != nil {
			return query{}, err
		}
		if !from.Before(now) || now.Sub(from) > maxLatestSpan {
			return query{}, cityops.Invalid("from", "%s: want a time in the last %d hours", from.Format(time.RFC3339), int(maxLatestSpan.Hours()))
		}
	}
	area, err := p.value("area")
	if err != nil {
		return query{}, err
	}
	w, args := "", []any{from.Unix()}
	if area != "" {
		w = " AND area = ?"
		args = append(args, area)
	}
	return query{
		sql: "SELECT device_id, type, toDateTime(intDiv(ms, 1000)) AS time, value, area AS area_id" +
			" FROM (SELECT device_id, type, max(last_ms) AS ms, argMax(last_value, last_ms) AS value, argMax(last_area, last_ms) AS area" +
			" FROM " + db + ".readings_latest GROUP BY device_id, type)" +
			" WHERE ms >= ? * 1000" + w + " ORDER BY device_id, type",
		args: args,
	}, nil
}
