package history

import (
	"strings"

	"github.com/cityops/cityops"
)

// query is one statement with its arguments, bound on the client for each '?'.
type query struct {
	sql  string
	args []any
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
func heatmapQuery(db string, f Filter, res, limit int) query {
	w, args := where(f, "reported")
	return query{
		sql: "SELECT " + cellColumns[res] + " AS h3, count() AS incidents, countIf(status IN ('closed', 'cancelled')) AS done" +
			" FROM " + db + ".incidents FINAL WHERE " + w +
			" GROUP BY h3 ORDER BY incidents DESC, h3 LIMIT ?",
		args: append(args, limit),
	}
}

// trendQuery counts incidents reported per bucket and per value of by.
func trendQuery(db string, f Filter, bucket, by string) query {
	w, args := where(f, "reported")
	return query{
		sql: "SELECT " + bucketExprs[bucket] + " AS bucket, " + byColumns[by] + " AS key, count() AS incidents" +
			" FROM " + db + ".incidents FINAL WHERE " + w +
			" GROUP BY bucket, key ORDER BY bucket, key",
		args: args,
	}
}

// departmentQuery measures each department. From the incidents reported in
// the range, in their latest state (FINAL): how many, how many closed and
// closed by their deadline, and the time from report to close. From the
// transitions made in the range: returns (dispatched or accepted sent back to
// reported or registered), incidents reworked (resolved or verified reopened),
// and the time from dispatch to accept (time - entered of dispatched ->
// accepted). Counts of transitions are distinct (incident, version) pairs, so
// a transition stored twice counts once; the percentiles are ClickHouse's
// sampled estimates.
func departmentQuery(db string, f Filter) query {
	f.Status = "" // a department's rates need every status
	w, args := where(f, "reported")
	tw := "time >= toDateTime(?) AND time < toDateTime(?)"
	targs := []any{f.From.Unix(), f.To.Unix()}
	if f.DepartmentID != "" {
		tw += " AND department_id = ?"
		targs = append(targs, f.DepartmentID)
	}
	return query{
		sql: "SELECT department_id, incidents, closed, closed_on_time," +
			" if(incidents = 0, 0, closed / incidents) AS closure_rate," +
			" if(closed = 0, 0, closed_on_time / closed) AS on_time_rate," +
			" returns, reworked, if(incidents = 0, 0, reworked / incidents) AS rework_rate," +
			" if(empty(accept_q), nan, accept_q[1]) AS accept_p50_s, if(empty(accept_q), nan, accept_q[2]) AS accept_p90_s," +
			" close_q[1] AS close_p50_s, close_q[2] AS close_p90_s" +
			" FROM (SELECT department_id, count() AS incidents, countIf(status = 'closed') AS closed," +
			" countIf(status = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline)) AS closed_on_time," +
			" quantilesIf(0.5, 0.9)(toUInt32(updated) - toUInt32(reported), status = 'closed') AS close_q" +
			" FROM " + db + ".incidents FINAL WHERE " + w + " GROUP BY department_id) AS i" +
			" ANY LEFT JOIN (SELECT department_id," +
			" uniqExactIf(incident_id, version, to_status IN ('reported', 'registered')) AS returns," +
			" uniqExactIf(incident_id, from_status IN ('resolved', 'verified')) AS reworked," +
			" quantilesIf(0.5, 0.9)(toUInt32(time) - toUInt32(entered), to_status = 'accepted' AND toUInt32(entered) > 0) AS accept_q" +
			" FROM " + db + ".transitions WHERE " + tw + " AND (" +
			"(from_status IN ('dispatched', 'accepted') AND to_status IN ('reported', 'registered'))" +
			" OR (from_status IN ('resolved', 'verified') AND to_status IN ('dispatched', 'accepted', 'in_progress'))" +
			" OR (from_status = 'dispatched' AND to_status = 'accepted'))" +
			" GROUP BY department_id) AS t USING department_id" +
			" ORDER BY department_id",
		args: append(args, targs...),
	}
}

// hotspotQuery finds cells where citizens complained of one category in at
// least minWeeks distinct weeks of the range.
func hotspotQuery(db string, f Filter, res, minWeeks, limit int) query {
	f.Source, f.Status = cityops.SourceHotline, ""
	w, args := where(f, "time")
	return query{
		sql: "SELECT " + cellColumns[res] + " AS h3, category, uniqExact(toMonday(time)) AS weeks, count() AS complaints," +
			" min(time) AS first, max(time) AS last" +
			" FROM " + db + ".events FINAL WHERE " + w +
			" GROUP BY h3, category HAVING weeks >= ? ORDER BY weeks DESC, complaints DESC, h3 LIMIT ?",
		args: append(args, minWeeks, limit),
	}
}

// transitionsQuery lists the transitions of one incident in order.
func transitionsQuery(db, incidentID string) query {
	return query{
		sql: "SELECT version, from_status, to_status, actor, department_id, reason, time" +
			" FROM " + db + ".transitions FINAL WHERE incident_id = ? ORDER BY version",
		args: []any{incidentID},
	}
}
