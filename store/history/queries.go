package history

import (
	"strings"

	"github.com/cityops/cityops"
)

// query is one statement with its arguments, bound on the client for each '?'.
type query struct {
	sql     string
	args    []any
	headers map[string]string // set on the answer: what a series was read from
}

// cellColumns maps an H3 resolution to the column that holds it.
var cellColumns = map[int]string{5: "cell5", 7: "cell7", 9: "cell"}

// bucketExprs maps a trend's bucket to the expression that computes it.
var bucketExprs = map[string]string{
	"hour": "toStartOfHour(reported)",
	"day":  "toStartOfDay(reported)",
	"week": "toDateTime(toMonday(reported))",
}

// byColumns maps a trend's grouping to its column.
var byColumns = map[string]string{"category": "category", "area": "area_id", "district": "district_id"}

// where builds the conditions of f on the incidents table (or on events:
// both name these columns alike, and time is the column of the range).
func where(f Filter, timeCol string) (string, []any) {
	conds := []string{timeCol + " >= toDateTime(?)", timeCol + " < toDateTime(?)"}
	args := []any{f.From.Unix(), f.To.Unix()}
	add := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = ?")
			args = append(args, v)
		}
	}
	add("category", f.Category)
	add("source", string(f.Source))
	add("department_id", f.DepartmentID)
	add("area_id", f.AreaID)
	add("status", string(f.Status))
	return strings.Join(conds, " AND "), args
}

// heatmapQuery counts incidents reported in f's range by their cell at res,
// busiest first. res must be a key of cellColumns.
func heatmapQuery(db string, f Filter, res, limit int, l layout) query {
	w, args := where(f, "reported")
	from, args := source(db, "incidents", cellColumns[res]+" AS h3, status", "reported", w, args, l)
	return query{
		sql: "SELECT h3, count() AS incidents, countIf(status IN ('closed', 'cancelled')) AS done" +
			" FROM " + from + " GROUP BY h3 ORDER BY incidents DESC, h3 LIMIT ?",
		args: append(args, limit),
	}
}

// trendQuery counts incidents reported per bucket and per value of by.
func trendQuery(db string, f Filter, bucket, by string, l layout) query {
	w, args := where(f, "reported")
	from, args := source(db, "incidents", "reported, "+byColumns[by]+" AS key", "reported", w, args, l)
	return query{
		sql: "SELECT " + bucketExprs[bucket] + " AS bucket, key, count() AS incidents" +
			" FROM " + from + " GROUP BY bucket, key ORDER BY bucket, key",
		args: args,
	}
}

// departmentQuery measures each department. From the incidents reported in
// the range, in their latest state: how many and how many are closed (the
// closed column that migration 0006 computes at insert). From the rounds
// closed in the range (transition_figures, 0010), each counted once however
// often its incident is reopened and closed again: how many, how many by
// their deadline, and the time from the round's start (the report, or the
// reopening) to its close. From the steps of the range in the same table
// the three rates of 12345 scoring (docs/planners.md): response (accepts
// within the response time over accepts whose timing is known), resolution
// (closed rounds not reopened over closed rounds) and satisfaction
// (satisfied and basically satisfied callbacks over callbacks). From the
// accepts made in the range (transition_accepts, 0006): the time from
// dispatch to accept. From the marks made in the range (0004, by action
// since 0010): the returns, the incidents reworked (a failed verification
// or a dissatisfied callback's redo), repeat complaints and reopenings. A
// department appears when any of these names it: one that returned every
// incident it got owns none of them afterwards, and its returns are what a
// planner looks for. Every row is read once (settled months) or collapsed
// with FINAL, so a transition stored twice counts once. Each side groups by
// the department and casts only the dozen keys that come out. The
// percentiles are ClickHouse's quantiles, exact up to 8192 values per
// department and sampled beyond. With by (month, category or area; "" for
// none) every figure is also split by it: the month of the report for
// incidents and of the step for the others; the incident's latest category
// or area for both. A category, area or source filter holds the steps to
// the incidents it selects.
func departmentQuery(db string, f Filter, by string, l layout) query {
	f.Status = "" // a department's rates need every status
	w, args := where(f, "reported")
	incCols, tCols, key, group := "department_id, closed", "", "", "department_id"
	incKey, tKey := "", ""
	switch by {
	case "month":
		incCols, tCols = incCols+", reported", ", time"
		incKey, tKey = " toStartOfMonth(reported) AS month,", " toStartOfMonth(time) AS month,"
	case "category", "area":
		col := map[string]string{"category": "category", "area": "area_id"}[by]
		incCols, tCols = incCols+", "+col, ", incident_id"
		incKey, tKey = " CAST("+col+" AS String) AS "+by+",", " k_key AS "+by+","
	}
	if by != "" {
		key, group = ", "+by, "department_id, "+by
	}
	inc, args := source(db, "incidents", incCols, "reported", w, args, l)
	tw := "time >= toDateTime(?) AND time < toDateTime(?)"
	targs := []any{f.From.Unix(), f.To.Unix()}
	if f.DepartmentID != "" {
		tw += " AND department_id = ?"
		targs = append(targs, f.DepartmentID)
	}
	if f.Category != "" || f.AreaID != "" || f.Source != "" {
		iw, iargs := where(Filter{Category: f.Category, AreaID: f.AreaID, Source: f.Source}, "reported")
		iw = strings.TrimPrefix(iw, "reported >= toDateTime(?) AND reported < toDateTime(?) AND ")
		tw += " AND incident_id IN (SELECT id FROM " + db + ".incidents WHERE " + iw + ")"
		targs = append(targs, iargs[2:]...)
	}
	// steps reads cols of a steps table; by category or area, joined with
	// the latest category or area of the incidents those steps are of.
	steps := func(table, cols string) (string, []any) {
		if (by == "category" || by == "area") && !strings.Contains(cols, "incident_id") {
			cols += tCols
		} else if by == "month" {
			cols += tCols
		}
		from, a := source(db, table, cols, "time", tw, targs, l)
		if by != "category" && by != "area" {
			return from, a
		}
		col := map[string]string{"category": "category", "area": "area_id"}[by]
		from = from + " AS s ANY LEFT JOIN (SELECT id AS incident_id, CAST(argMax(" + col + ", version) AS String) AS k_key" +
			" FROM " + db + ".incidents WHERE id IN (SELECT incident_id FROM " + db + "." + table + " WHERE " + tw + ") GROUP BY id) AS k USING incident_id"
		return from, append(a, targs...)
	}
	acc, aargs := steps("transition_accepts", "department_id, wait_s")
	marks, margs := steps("transition_marks", "department_id, incident_id, kind")
	figs, fargs := steps("transition_figures", "department_id, kind, on_time, close_s, from_closed, result")
	args = append(append(append(args, fargs...), aargs...), margs...)
	const z = "toUInt64(0)"
	zeros := func(n int) string { return strings.Repeat(z+", ", n) }
	incMonth, tMonth := incKey, tKey
	return query{
		sql: "SELECT department_id" + key + ", incidents, closed, if(incidents = 0, 0, closed / incidents) AS closure_rate," +
			" rounds_closed, closed_on_time, if(rounds_closed = 0, 0, closed_on_time / rounds_closed) AS on_time_rate," +
			" accepts, accepted_in_time, if(accepts = 0, nan, accepted_in_time / accepts) AS response_rate," +
			" reopened_closed, if(rounds_closed = 0, nan, (rounds_closed - least(reopened_closed, rounds_closed)) / rounds_closed) AS resolution_rate," +
			" rated, satisfied, basically_satisfied, if(rated = 0, nan, (satisfied + basically_satisfied) / rated) AS satisfaction_rate," +
			" repeats, reopens, returns, reworked, if(incidents = 0, 0, reworked / incidents) AS rework_rate," +
			" if(empty(accept_q), nan, accept_q[1]) AS accept_p50_s, if(empty(accept_q), nan, accept_q[2]) AS accept_p90_s," +
			" if(empty(close_q), nan, close_q[1]) AS close_p50_s, if(empty(close_q), nan, close_q[2]) AS close_p90_s" +
			" FROM (SELECT department_id" + key + ", sum(n_incidents) AS incidents, sum(n_closed) AS closed, sum(n_rounds) AS rounds_closed," +
			" sum(n_on_time) AS closed_on_time, sum(n_accepts) AS accepts, sum(n_accepts_in_time) AS accepted_in_time," +
			" sum(n_reopened_closed) AS reopened_closed, sum(n_rated) AS rated, sum(n_satisfied) AS satisfied," +
			" sum(n_basically) AS basically_satisfied, sum(n_repeats) AS repeats, sum(n_reopens) AS reopens," +
			" sum(n_returns) AS returns, sum(n_reworked) AS reworked," +
			" argMax(q_close, length(q_close)) AS close_q, argMax(q_accept, length(q_accept)) AS accept_q" +
			" FROM (SELECT CAST(department_id AS String) AS department_id," + incMonth + " count() AS n_incidents, sum(closed) AS n_closed," +
			" " + z + " AS n_rounds, " + z + " AS n_on_time, " + z + " AS n_accepts, " + z + " AS n_accepts_in_time," +
			" " + z + " AS n_reopened_closed, " + z + " AS n_rated, " + z + " AS n_satisfied, " + z + " AS n_basically," +
			" " + z + " AS n_repeats, " + z + " AS n_reopens, " + z + " AS n_returns, " + z + " AS n_reworked," +
			" emptyArrayFloat64() AS q_close, emptyArrayFloat64() AS q_accept" +
			" FROM " + inc + " GROUP BY " + group +
			" UNION ALL SELECT department_id," + tMonth + " " + zeros(2) + "countIf(kind = 'close'), countIf(kind = 'close' AND on_time = 1)," +
			" countIf(kind = 'accept' AND on_time >= 0), countIf(kind = 'accept' AND on_time = 1)," +
			" countIf(kind = 'reopen' AND from_closed = 1), countIf(kind = 'feedback' AND result != '')," +
			" countIf(kind = 'feedback' AND result = 'satisfied'), countIf(kind = 'feedback' AND result = 'basically_satisfied'), " + zeros(4) +
			" quantilesIf(0.5, 0.9)(close_s, kind = 'close' AND close_s >= 0), emptyArrayFloat64()" +
			" FROM " + figs + " GROUP BY department_id" + key +
			" UNION ALL SELECT CAST(department_id AS String)," + tMonth + " " + zeros(14) +
			" emptyArrayFloat64(), quantiles(0.5, 0.9)(wait_s)" +
			" FROM " + acc + " GROUP BY department_id" + key +
			" UNION ALL SELECT department_id," + tMonth + " " + zeros(10) + "countIf(kind = 'repeat'), countIf(kind IN ('repeat', 'redo'))," +
			" countIf(kind = 'return'), uniqExactIf(incident_id, kind IN ('rework', 'redo'))," +
			" emptyArrayFloat64(), emptyArrayFloat64()" +
			" FROM " + marks + " GROUP BY department_id" + key + ")" +
			" GROUP BY " + group + ")" +
			" ORDER BY " + group,
		args: args,
	}
}

// hotspotQuery finds cells where citizens complained of one category in at
// least minWeeks distinct weeks of the range.
func hotspotQuery(db string, f Filter, res, minWeeks, limit int, l layout) query {
	f.Source, f.Status = cityops.SourceHotline, ""
	w, args := where(f, "time")
	from, args := source(db, "events", cellColumns[res]+" AS h3, category, time", "time", w, args, l)
	return query{
		sql: "SELECT h3, category, uniqExact(toMonday(time)) AS weeks, count() AS complaints," +
			" min(time) AS first, max(time) AS last" +
			" FROM " + from + " GROUP BY h3, category HAVING weeks >= ? ORDER BY weeks DESC, complaints DESC, h3 LIMIT ?",
		args: append(args, minWeeks, limit),
	}
}

// transitionsQuery lists the transitions of one incident in order, with
// what was done and the note left (migration 0007; empty before it).
func transitionsQuery(db, incidentID string) query {
	return query{
		sql: "SELECT version, action, from_status, to_status, actor, department_id, reason, note, time" +
			" FROM " + db + ".transitions FINAL WHERE incident_id = ? ORDER BY version",
		args: []any{incidentID},
	}
}

// leadQueries find the department that owns an incident now: its latest
// row in incidents, else its latest transition (the sink may not have
// written the incident yet). Both read one key's rows, newest first.
func leadQueries(db, incidentID string) []query {
	return []query{
		{sql: "SELECT department_id FROM " + db + ".incidents WHERE id = ? ORDER BY version DESC LIMIT 1", args: []any{incidentID}},
		{sql: "SELECT department_id FROM " + db + ".transitions WHERE incident_id = ? ORDER BY version DESC LIMIT 1", args: []any{incidentID}},
	}
}
