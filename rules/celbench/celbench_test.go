package celbench

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
)

// Condition is one rule condition written in both languages.
type Condition struct {
	Name string
	Expr string // expr-lang/expr
	CEL  string
}

// Conditions are conditions of the kinds city packs hold: thresholds,
// thresholds by time of day, type and value together, text search,
// membership and calendar conditions.
var Conditions = []Condition{
	{"threshold", `value >= 0.15`, `value >= 0.15`},
	{"by_time_of_day", `value >= 20 && (hour >= 22 || hour < 6)`, `value >= 20.0 && (hour >= 22 || hour < 6)`},
	{"type_and_value", `type == "wave_height" && value > 0.2`, `type == "wave_height" && value > 0.2`},
	{"text_contains", `text contains "Loud"`, `text.contains("Loud")`},
	{"type_in_list", `type in ["Noise - Residential", "Noise - Street/Sidewalk", "Noise - Commercial", "Noise - Vehicle"]`,
		`type in ["Noise - Residential", "Noise - Street/Sidewalk", "Noise - Commercial", "Noise - Vehicle"]`},
	{"weekend_evening", `source == "hotline" && weekday in [0, 6] && hour >= 12`, `source == "hotline" && weekday in [0, 6] && hour >= 12`},
}

// Events reads up to n NYC 311 requests and n Chicago beach readings
// (wave height and water temperature) from dir, the shared data directory.
func Events(dir string, n int) ([]*rules.Input, error) {
	var out []*rules.Input
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("loading time zone: %w", err)
	}
	err = eachRow(dir+"/nyc311/nyc311_dev.csv", n, func(col map[string]int, row []string) error {
		at, err := time.ParseInLocation("2006-01-02T15:04:05", row[col["created_date"]], ny)
		if err != nil {
			return fmt.Errorf("parsing created_date: %w", err)
		}
		ev := cityops.Event{Source: cityops.SourceHotline, Type: row[col["complaint_type"]], Text: row[col["descriptor"]], Time: at}
		out = append(out, rules.NewInput(&ev, nil))
		return nil
	})
	if err != nil {
		return nil, err
	}
	chi, err := time.LoadLocation("America/Chicago")
	if err != nil {
		return nil, fmt.Errorf("loading time zone: %w", err)
	}
	err = eachRow(dir+"/iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv", n/2, func(col map[string]int, row []string) error {
		at, err := time.ParseInLocation("01/02/2006 03:04:05 PM", row[col["Measurement Timestamp"]], chi)
		if err != nil {
			return fmt.Errorf("parsing timestamp: %w", err)
		}
		for _, f := range []struct{ col, typ, unit string }{{"Wave Height", "wave_height", "m"}, {"Water Temperature", "water_temperature", "°C"}} {
			v, err := strconv.ParseFloat(row[col[f.col]], 64)
			if err != nil {
				continue // the sensor sent no value
			}
			ev := cityops.Event{Source: cityops.SourceIoT, Type: f.typ, DeviceID: row[col["Beach Name"]], Value: &v, Unit: f.unit, Time: at}
			out = append(out, rules.NewInput(&ev, nil))
		}
		return nil
	})
	return out, err
}

// eachRow calls fn with the header's columns and each of the first n rows
// of a CSV file.
func eachRow(path string, n int, fn func(col map[string]int, row []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening events: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for range n {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		if err := fn(col, row); err != nil {
			return err
		}
	}
	return nil
}
