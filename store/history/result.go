package history

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

// table is a query's answer: column names and rows of plain values (strings,
// numbers, times, nil for an undefined number such as the median of nothing).
type table struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// run runs q and reads every row. Columns named h3 hold H3 cells and are
// returned in H3's hexadecimal form.
func run(ctx context.Context, s *store.Store, q query) (*table, error) {
	rows, err := s.Query(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &table{Columns: rows.Columns(), Rows: [][]any{}}
	types := rows.ColumnTypes()
	for rows.Next() {
		ptrs := make([]any, len(types))
		for i, ct := range types {
			ptrs[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading a row: %w", err)
		}
		row := make([]any, len(ptrs))
		for i, p := range ptrs {
			row[i] = plain(t.Columns[i], reflect.ValueOf(p).Elem().Interface())
		}
		t.Rows = append(t.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading rows: %w", err)
	}
	return t, nil
}

// plain turns a scanned value into one that JSON and CSV can carry.
func plain(column string, v any) any {
	switch x := v.(type) {
	case uint64:
		if column == "h3" {
			return cityops.Cell(x).String()
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil
		}
		return float64(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

func (t *table) writeJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(t)
}

// writeCSV writes a header line and one line per row; nil is an empty field.
func (t *table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = csvField(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvField(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvSafe(x)
	case time.Time:
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// csvSafe keeps a stored string from being read as a formula by a
// spreadsheet: a leading = + - @ gets a quote mark before it.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
