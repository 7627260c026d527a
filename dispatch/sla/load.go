package sla

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"go.yaml.in/yaml/v3"
)

// FileName is the optional file of a city pack that holds the policy.
const FileName = "dispatch.yaml"

type file struct {
	MaxReturns int    `yaml:"max_returns"`
	Response   string `yaml:"response"`
	Callback   struct {
		Window   string `yaml:"window"`
		MaxRedos int    `yaml:"max_redos"`
	} `yaml:"callback"`
	Calendar struct {
		WorkingHours []string `yaml:"working_hours"`
		Weekend      []string `yaml:"weekend"`
		Holidays     []string `yaml:"holidays"`
		Workdays     []string `yaml:"workdays"`
	} `yaml:"calendar"`
	Escalation struct {
		WarnBefore    *float64 `yaml:"warn_before"`
		DistrictAfter string   `yaml:"district_after"`
		CityAfter     string   `yaml:"city_after"`
	} `yaml:"escalation"`
	Deadlines map[string][]struct {
		Stage        string  `yaml:"stage"`
		Hours        float64 `yaml:"hours"`
		WorkingHours float64 `yaml:"working_hours"`
		WorkingDays  float64 `yaml:"working_days"`
	} `yaml:"deadlines"`
}

// Load reads the policy from fsys's dispatch.yaml, on top of the defaults
// of NewPolicy. A pack without the file gets the defaults.
func Load(fsys fs.FS, loc *time.Location, cats []cityops.Category) (*Policy, error) {
	p := NewPolicy(loc, cats)
	b, err := fs.ReadFile(fsys, FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", FileName, err)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decoding %s: %w", FileName, err)
	}
	if err := p.apply(&f, cats); err != nil {
		return nil, fmt.Errorf("checking %s: %w", FileName, err)
	}
	return p, nil
}

func (p *Policy) apply(f *file, cats []cityops.Category) error {
	if f.MaxReturns > 0 {
		p.MaxReturns = f.MaxReturns
	}
	if r := f.Response; r != "" {
		d, err := time.ParseDuration(r)
		if err != nil || d <= 0 {
			return cityops.Invalid("response", "must be a positive duration like 2h, not %q", r)
		}
		p.Response = d
	}
	if w := f.Callback.Window; w != "" {
		d, err := time.ParseDuration(w)
		if err != nil || d <= 0 {
			return cityops.Invalid("callback.window", "must be a positive duration like 360h, not %q", w)
		}
		p.Callback.Window = d
	}
	if n := f.Callback.MaxRedos; n < 0 {
		return cityops.Invalid("callback.max_redos", "must not be negative, not %d", n)
	} else if n > 0 {
		p.Callback.MaxRedos = n
	}
	cal := p.Calendar
	if len(f.Calendar.WorkingHours) > 0 {
		cal.Hours = nil
		for _, h := range f.Calendar.WorkingHours {
			s, err := parseSpan(h)
			if err != nil {
				return err
			}
			cal.Hours = append(cal.Hours, s)
		}
	}
	if f.Calendar.Weekend != nil {
		cal.Weekend = map[time.Weekday]bool{}
		for _, d := range f.Calendar.Weekend {
			wd, err := parseWeekday(d)
			if err != nil {
				return err
			}
			cal.Weekend[wd] = true
		}
	}
	var err error
	if cal.Holidays, err = parseDays("calendar.holidays", f.Calendar.Holidays); err != nil {
		return err
	}
	if cal.Workdays, err = parseDays("calendar.workdays", f.Calendar.Workdays); err != nil {
		return err
	}
	e := &p.Escalation
	if f.Escalation.WarnBefore != nil {
		if *f.Escalation.WarnBefore < 0 || *f.Escalation.WarnBefore >= 1 {
			return cityops.Invalid("escalation.warn_before", "must be a fraction in [0, 1)")
		}
		e.WarnBefore = *f.Escalation.WarnBefore
	}
	for _, x := range []struct {
		field string
		s     string
		d     *time.Duration
	}{{"escalation.district_after", f.Escalation.DistrictAfter, &e.DistrictAfter}, {"escalation.city_after", f.Escalation.CityAfter, &e.CityAfter}} {
		if x.s == "" {
			continue
		}
		d, err := time.ParseDuration(x.s)
		if err != nil || d < 0 {
			return cityops.Invalid(x.field, "%q is not a duration such as 4h", x.s)
		}
		*x.d = d
	}
	known := map[string]bool{}
	for _, c := range cats {
		known[c.Code] = true
	}
	for code, stages := range f.Deadlines {
		if !known[code] {
			return cityops.Invalid("deadlines."+code, "unknown category")
		}
		for i, s := range stages {
			field := fmt.Sprintf("deadlines.%s[%d]", code, i)
			st := Stage{Name: s.Stage}
			switch {
			case s.Hours > 0 && s.WorkingHours == 0 && s.WorkingDays == 0:
				st.Allowed = hours(s.Hours)
			case s.WorkingHours > 0 && s.Hours == 0 && s.WorkingDays == 0:
				st.Allowed, st.Working = hours(s.WorkingHours), true
			case s.WorkingDays > 0 && s.Hours == 0 && s.WorkingHours == 0:
				st.Allowed, st.Working = time.Duration(s.WorkingDays*float64(cal.Day())), true
			default:
				return cityops.Invalid(field, "needs exactly one of hours, working_hours, working_days")
			}
			if st.Name == "" {
				return cityops.Invalid(field+".stage", "is empty")
			}
			p.Stages[code] = append(p.Stages[code], st)
		}
	}
	return nil
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func parseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(s, "-")
	from, err1 := time.Parse("15:04", strings.TrimSpace(a))
	to, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || !to.After(from) {
		return Span{}, cityops.Invalid("calendar.working_hours", "%q is not HH:MM-HH:MM", s)
	}
	return Span{from.Hour()*60 + from.Minute(), to.Hour()*60 + to.Minute()}, nil
}

func parseWeekday(s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, nil
		}
	}
	return 0, cityops.Invalid("calendar.weekend", "%q is not a weekday", s)
}

// parseDays reads "2026-10-01" and ranges "2026-10-01..2026-10-07".
func parseDays(field string, list []string) (map[string]bool, error) {
	days := map[string]bool{}
	for _, s := range list {
		a, b, isRange := strings.Cut(s, "..")
		from, err := time.Parse(time.DateOnly, strings.TrimSpace(a))
		if err != nil {
			return nil, cityops.Invalid(field, "%q is not YYYY-MM-DD or a range of them", s)
		}
		to := from
		if isRange {
			if to, err = time.Parse(time.DateOnly, strings.TrimSpace(b)); err != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour {
				return nil, cityops.Invalid(field, "%q is not a range of up to a year", s)
			}
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			days[d.Format(time.DateOnly)] = true
		}
	}
	return days, nil
}
