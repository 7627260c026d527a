package rules

import (
	"strings"

	"github.com/cityops/cityops"
)

// Input is what rules see of an event: its own fields plus where and when it
// happened. Names in expressions are the lower-case tags.
type Input struct {
	Source   string  `expr:"source"`
	Type     string  `expr:"type"`
	Text     string  `expr:"text"`
	Value    float64 `expr:"value"`
	HasValue bool    `expr:"has_value"`
	Unit     string  `expr:"unit"`
	Device   string  `expr:"device"`
	Area     string  `expr:"area"`     // the finest area the event lies in
	District string  `expr:"district"` // the district it lies in
	Hour     int     `expr:"hour"`     // local hour of the event, 0..23
	Weekday  int     `expr:"weekday"`  // local day of the week, 0 = Sunday
	Cell     uint64  `expr:"cell"`     // H3 cell at resolution 9

	lower string // Text in lower case, made once when a keyword rule first asks
	low   bool
}

// NewInput returns the input for ev. Area, District and Cell are filled in by
// the caller when it knows them.
func NewInput(ev *cityops.Event, p *Pack) *Input {
	in := &Input{
		Source:   string(ev.Source),
		Type:     ev.Type,
		Text:     ev.Text,
		Unit:     ev.Unit,
		Device:   ev.DeviceID,
		HasValue: ev.Value != nil,
	}
	if ev.Value != nil {
		in.Value = *ev.Value
	}
	t := ev.Time
	if p != nil && p.Location != nil {
		t = t.In(p.Location)
	}
	in.Hour, in.Weekday = t.Hour(), int(t.Weekday())
	return in
}

func (in *Input) lowerText() string {
	if !in.low {
		in.lower, in.low = strings.ToLower(in.Text), true
	}
	return in.lower
}
