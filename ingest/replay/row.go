package replay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
)

// columns maps a CSV header to column indexes.
type columns map[string]int

func (c columns) get(rec []string, name string) string {
	i, ok := c[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Event turns one row into a validated hotline event. A field error names
// the CSV column at fault. A row whose closed time precedes its created time
// is kept, since it is the city's real record of a request, but returned
// with a warning naming the closed column, so the summary counts and lists
// it as a data-quality fault the source may want to correct.
func (m *Mapping) event(v *ingest.Validator, cols columns, rec []string) (ev cityops.Event, warn *cityops.FieldError, err error) {
	key := cols.get(rec, m.ID)
	if key == "" {
		return ev, nil, cityops.Invalid(m.ID, "required")
	}
	created, err := m.parseTime(cols, rec, m.Created, true)
	if err != nil {
		return ev, nil, err
	}
	if m.Closed != "" {
		closed, err := m.parseTime(cols, rec, m.Closed, false)
		if err != nil {
			return ev, nil, err
		}
		if !closed.IsZero() && closed.Before(created) {
			warn = &cityops.FieldError{Field: m.Closed, Reason: fmt.Sprintf("%s precedes %s %s", cols.get(rec, m.Closed), m.Created, cols.get(rec, m.Created))}
		}
	}
	var parts []string
	for _, c := range m.Text {
		if s := cols.get(rec, c); s != "" && !containsStr(parts, s) {
			parts = append(parts, s)
		}
	}
	r := ingest.EventRequest{
		ID: m.IDPrefix + key, Source: string(cityops.SourceHotline), Type: cols.get(rec, m.Type),
		Text: strings.Join(parts, ": "), Time: created.Format(time.RFC3339),
	}
	for _, c := range []struct {
		col string
		dst **float64
	}{{m.Lat, &r.Lat}, {m.Lon, &r.Lon}} {
		s := cols.get(rec, c.col)
		if s == "" {
			continue // the validator says it is required
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return ev, nil, cityops.Invalid(c.col, "%q is not a number", s)
		}
		*c.dst = &x
	}
	ev, err = v.Check(&r)
	if err != nil {
		return ev, nil, m.rename(err)
	}
	return ev, warn, nil
}

func (m *Mapping) parseTime(cols columns, rec []string, col string, required bool) (time.Time, error) {
	s := cols.get(rec, col)
	if s == "" {
		if required {
			return time.Time{}, cityops.Invalid(col, "required")
		}
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(m.TimeLayout, s, m.loc)
	if err != nil {
		return t, cityops.Invalid(col, "%q does not match the layout %s", s, m.TimeLayout)
	}
	return t, nil
}

// rename gives a validator's field error the CSV column's name.
func (m *Mapping) rename(err error) error {
	var fe *cityops.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	names := map[string]string{"id": m.ID, "type": m.Type, "text": strings.Join(m.Text, "+"), "lat": m.Lat, "lon": m.Lon,
		"time": m.Created, "lat/lon": m.Lat + "/" + m.Lon}
	if n, ok := names[fe.Field]; ok {
		return &cityops.FieldError{Field: n, Reason: fe.Reason}
	}
	return err
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
