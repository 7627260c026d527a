package rules

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"time"

	"github.com/cityops/cityops"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// AlarmInput is what an alarm's raise and clear expressions see of a reading.
type AlarmInput struct {
	Value   float64 `expr:"value"`
	Rate    float64 `expr:"rate"`     // change per hour since the device's previous reading of this type
	HasRate bool    `expr:"has_rate"` // false for a device's first reading
	Gap     float64 `expr:"gap"`      // minutes since the previous reading
	Device  string  `expr:"device"`
	Type    string  `expr:"type"`
	Hour    int     `expr:"hour"` // local hour of the reading
}

// AlarmDef is one alarm type of a pack, compiled.
type AlarmDef struct {
	ID         string        // the alarm type, e.g. water_level.high
	Kind       string        // "threshold" (raise/clear expressions) or "offline"
	Types      []string      // the sensor types it watches
	Count      int           // readings meeting raise ...
	Within     time.Duration // ... within this window raise the alarm
	ClearCount int           // consecutive readings meeting clear clear it
	After      time.Duration // offline: silence that raises the alarm
	Category   string
	Severity   int
	Raise      string // the expressions as written, for explanations
	Clear      string

	raise, clear *vm.Program
}

// alarmDefYAML is an alarm as written in the pack's alarms file.
type alarmDefYAML struct {
	ID         string   `yaml:"id"`
	Kind       string   `yaml:"kind"`
	Types      []string `yaml:"types"`
	Raise      string   `yaml:"raise"`
	Count      int      `yaml:"count"`
	Within     string   `yaml:"within"`
	Clear      string   `yaml:"clear"`
	ClearCount int      `yaml:"clear_count"`
	After      string   `yaml:"after"`
	Category   string   `yaml:"category"`
	Severity   int      `yaml:"severity"`
}

var alarmFields = map[string]bool{"id": true, "kind": true, "types": true, "raise": true, "count": true, "within": true,
	"clear": true, "clear_count": true, "after": true, "category": true, "severity": true}

type alarmFile struct {
	Alarms []yaml.Node `yaml:"alarms"`
}

// compileAlarms reads the alarms file, recording problems in c with their
// lines.
func (c *checker) compileAlarms(fsys fs.FS, file string, cats map[string]cityops.Category) []*AlarmDef {
	var af alarmFile
	if err := decodeFile(fsys, file, &af); err != nil {
		c.addErr(err)
		return nil
	}
	var defs []*AlarmDef
	seen := map[string]bool{}
	for i := range af.Alarms {
		n := &af.Alarms[i]
		d, err := compileAlarm(n, cats)
		if err != nil {
			c.add(file, n.Line, err)
			continue
		}
		if seen[d.ID] {
			c.add(file, n.Line, cityops.Invalid("id", "duplicate alarm id %q", d.ID))
			continue
		}
		seen[d.ID] = true
		defs = append(defs, d)
	}
	return defs
}

func compileAlarm(n *yaml.Node, cats map[string]cityops.Category) (*AlarmDef, error) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !alarmFields[k] {
				return nil, cityops.Invalid(k, "unknown alarm field")
			}
		}
	}
	var y alarmDefYAML
	if err := n.Decode(&y); err != nil {
		return nil, err
	}
	if y.ID == "" {
		return nil, cityops.Invalid("id", "required")
	}
	d := &AlarmDef{ID: y.ID, Kind: y.Kind, Types: y.Types, Count: y.Count, ClearCount: y.ClearCount,
		Category: y.Category, Severity: y.Severity, Raise: y.Raise, Clear: y.Clear}
	bad := func(field, format string, args ...any) error {
		return cityops.Invalid(field, "alarm %s: %s", y.ID, fmt.Sprintf(format, args...))
	}
	if d.Kind == "" {
		d.Kind = "threshold"
	}
	if len(d.Types) == 0 {
		return nil, bad("types", "required: the sensor types it watches")
	}
	if d.Category != "" {
		if _, ok := cats[d.Category]; !ok {
			return nil, bad("category", "unknown category %q", d.Category)
		}
	}
	if d.Severity < 0 || d.Severity > 4 {
		return nil, bad("severity", "must be 1..4")
	}
	dur := func(field, s string) (time.Duration, error) {
		if s == "" {
			return 0, nil
		}
		v, err := time.ParseDuration(s)
		if err != nil || v <= 0 {
			return 0, bad(field, "must be a positive duration like 10m, not %q", s)
		}
		return v, nil
	}
	var err error
	switch d.Kind {
	case "offline":
		if y.Raise != "" || y.Clear != "" || y.Count != 0 || y.Within != "" {
			return nil, bad("kind", "an offline alarm takes only after, not raise, clear, count or within")
		}
		if d.After, err = dur("after", y.After); err != nil {
			return nil, err
		}
		if d.After == 0 {
			return nil, bad("after", "required for an offline alarm")
		}
	case "threshold":
		if y.After != "" {
			return nil, bad("after", "only for offline alarms")
		}
		if y.Raise == "" || y.Clear == "" {
			return nil, bad("clear", "a threshold alarm needs both raise and clear (hysteresis)")
		}
		if d.raise, err = compileAlarmExpr(y.Raise); err != nil {
			return nil, bad("raise", "%v", err)
		}
		if d.clear, err = compileAlarmExpr(y.Clear); err != nil {
			return nil, bad("clear", "%v", err)
		}
		if d.Count == 0 {
			d.Count = 1
		}
		if d.ClearCount == 0 {
			d.ClearCount = 1
		}
		if d.Count < 1 || d.ClearCount < 1 {
			return nil, bad("count", "count and clear_count must be at least 1")
		}
		if d.Within, err = dur("within", y.Within); err != nil {
			return nil, err
		}
		if d.Count > 1 && d.Within == 0 {
			return nil, bad("within", "required when count is more than 1")
		}
	default:
		return nil, bad("kind", "must be threshold or offline, not %q", d.Kind)
	}
	return d, nil
}

func compileAlarmExpr(s string) (*vm.Program, error) {
	return expr.Compile(s, expr.Env(&AlarmInput{}), expr.AsBool())
}

// holds runs one of an alarm's expressions on a reading, on the machine a
// keeps for it (Observe holds a's lock).
func (a *Alarms) holds(p *vm.Program, in *AlarmInput) bool {
	v, err := a.vm.Run(p, in)
	if err != nil {
		return false
	}
	b, _ := v.(bool)
	return b
}

// valueBound finds the first comparison of value with a number in an alarm
// expression: "value >= 0.15", "value < 50".
var valueBound = regexp.MustCompile(`\bvalue\s*(>=|>|<=|<)\s*(-?[0-9]+(?:\.[0-9]+)?)`)

// Limits returns the values a chart of the alarm's sensors draws as lines:
// the number that the first comparison of value in raise, and in clear,
// compares with. ok is false for an expression without one (a rate alarm,
// an offline alarm). An expression with several (noise.loud's day and night
// limits) gives its first.
func (d *AlarmDef) Limits() (raise float64, raiseOK bool, clear float64, clearOK bool) {
	parse := func(expr string) (float64, bool) {
		m := valueBound.FindStringSubmatch(expr)
		if m == nil {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[2], 64)
		return v, err == nil
	}
	raise, raiseOK = parse(d.Raise)
	clear, clearOK = parse(d.Clear)
	return raise, raiseOK, clear, clearOK
}
