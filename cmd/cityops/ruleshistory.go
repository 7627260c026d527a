package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/rules"
)

// historyQuery reads stored events with the category they were given. It is
// plain SQL that runs on ClickHouse 18.16 and current servers.
const historyQuery = `SELECT id, source, type, text, lat, lon, time, value, has_value, unit, device_id,
 area_id, district_id, cell, category FROM %s.events FINAL WHERE time >= ? ORDER BY time LIMIT ?`

// whatIfHistory runs pack over the events stored in ClickHouse since since
// (at most limit of them) and prints how its decisions differ from the
// categories they were given.
func whatIfHistory(ctx context.Context, o *role.Config, pack *rules.Pack, since time.Time, limit int, top int, stdout io.Writer) error {
	s, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rows, err := s.Query(ctx, fmt.Sprintf(historyQuery, s.Database()), since, uint64(limit))
	if err != nil {
		return err
	}
	defer rows.Close()
	var w rules.WhatIf
	for rows.Next() {
		var (
			ev             cityops.Event
			src, then      string
			value          float64
			hasValue       uint8
			area, district string
			cell           uint64
		)
		if err := rows.Scan(&ev.ID, &src, &ev.Type, &ev.Text, &ev.Lat, &ev.Lon, &ev.Time, &value, &hasValue, &ev.Unit,
			&ev.DeviceID, &area, &district, &cell, &then); err != nil {
			return fmt.Errorf("reading stored events: %w", err)
		}
		ev.Source = cityops.Source(src)
		if hasValue != 0 {
			ev.Value = &value
		}
		in := rules.NewInput(&ev, pack)
		in.Area, in.District, in.Cell = area, district, cell
		w.Add(then, pack.Classify(in))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading stored events: %w", err)
	}
	w.Print(stdout, top)
	return nil
}
