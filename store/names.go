package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cityops/cityops"
)

// Names are the city's names behind the codes that incidents and events
// carry: what SyncNames copies into the departments, areas and categories
// tables (migration 0007) so that planners can read names in SQL.
type Names struct {
	Departments []cityops.Department
	Areas       []cityops.Area
	Categories  []cityops.Category
}

// nameTable is one of the name tables: its key column, the columns an
// insert fills (key first, then retired and version last), and the rows.
type nameTable struct {
	table   string
	key     string
	columns []string
	keys    []string
	values  []any // one slice per column but retired and version
}

var (
	departmentNameColumns = []string{"id", "name", "name_en", "retired", "version"}
	areaNameColumns       = []string{"id", "name", "name_en", "level", "parent_id", "retired", "version"}
	categoryNameColumns   = []string{"code", "kind", "name", "name_en", "deadline_hours", "severity", "service_code", "retired", "version"}
)

func (n Names) tables() []nameTable {
	var d struct{ id, name, nameEN []string }
	for _, x := range n.Departments {
		d.id, d.name, d.nameEN = append(d.id, x.ID), append(d.name, x.Name), append(d.nameEN, x.NameEN)
	}
	var a struct{ id, name, nameEN, level, parent []string }
	for _, x := range n.Areas {
		a.id, a.name, a.nameEN = append(a.id, x.ID), append(a.name, x.Name), append(a.nameEN, x.NameEN)
		a.level, a.parent = append(a.level, string(x.Level)), append(a.parent, x.ParentID)
	}
	var c struct {
		code, kind, name, nameEN, service []string
		hours                             []uint32
		severity                          []uint8
	}
	for _, x := range n.Categories {
		c.code, c.kind, c.name, c.nameEN = append(c.code, x.Code), append(c.kind, string(x.Kind)), append(c.name, x.Name), append(c.nameEN, x.NameEN)
		c.hours = append(c.hours, uint32(max(x.DeadlineHours, 0)))
		c.severity = append(c.severity, uint8(min(max(x.Severity, 0), 255)))
		c.service = append(c.service, x.ServiceCode)
	}
	return []nameTable{
		{"departments", "id", departmentNameColumns, d.id, []any{d.id, d.name, d.nameEN}},
		{"areas", "id", areaNameColumns, a.id, []any{a.id, a.name, a.nameEN, a.level, a.parent}},
		{"categories", "code", categoryNameColumns, c.code, []any{c.code, c.kind, c.name, c.nameEN, c.hours, c.severity, c.service}},
	}
}

// SyncNames writes the pack's departments, areas and categories into their
// tables with now as their version, so that a read with FINAL sees this
// sync's names. An entry stored before that names is missing is kept with
// retired = 1 (old incidents still name it). Syncing the same names again
// writes them again under a newer version, which merges away; it is meant
// for the store role's start and each pack reload, not for every record.
func (s *Store) SyncNames(ctx context.Context, names Names, now time.Time) error {
	if err := checkTime("now", now); err != nil {
		return fmt.Errorf("syncing names: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	for _, t := range names.tables() {
		if err := s.retireNames(ctx, t, now); err != nil {
			return fmt.Errorf("syncing names: %w", err)
		}
		if len(t.keys) == 0 {
			continue
		}
		retired, version := make([]uint8, len(t.keys)), make([]time.Time, len(t.keys))
		for i := range version {
			version[i] = now
		}
		err := s.insertColumns(ctx, t.table, t.columns, append(append([]any{}, t.values...), retired, version))
		if err != nil {
			return fmt.Errorf("syncing names: %w", err)
		}
	}
	return nil
}

// retireNames writes again, with retired = 1 and version now, the entries of
// t's table that are current but not among t's keys.
func (s *Store) retireNames(ctx context.Context, t nameTable, now time.Time) error {
	stmt, args := retireNamesStatement(s.db, t, now)
	if err := s.conn.Exec(ctx, stmt, args...); err != nil {
		return fmt.Errorf("retiring %s: %w", t.table, err)
	}
	return nil
}

// retireNamesStatement is an INSERT ... SELECT, which 18.16 takes over the
// native protocol, of the current rows whose key t no longer has.
func retireNamesStatement(db string, t nameTable, now time.Time) (string, []any) {
	cols := t.columns[:len(t.columns)-2]
	list := ""
	for i, c := range cols {
		if i > 0 {
			list += ", "
		}
		list += c
	}
	cond := "retired = 0"
	args := []any{now.Unix()}
	if len(t.keys) > 0 {
		cond += " AND NOT has(?, " + t.key + ")"
		args = append(args, t.keys)
	}
	return "INSERT INTO " + db + "." + t.table + " (" + list + ", retired, version)" +
		" SELECT " + list + ", 1, toDateTime(?, 'UTC') FROM " + db + "." + t.table + " FINAL WHERE " + cond, args
}
