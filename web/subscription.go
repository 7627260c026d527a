package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/cityops/cityops"
)

// Limits of a subscription (see PROTOCOL.md).
const (
	maxFilterValues   = 100
	maxValueBytes     = 64
	maxIncidentBBox   = 2.0   // degrees each way in incidents mode
	maxIncidents      = 20000 // incidents in one snapshot before falling back to cells
	zoomIncidents     = 11    // from this zoom on, single incidents
	zoomDistrictCells = 8     // from this zoom on (below zoomIncidents), resolution 7 cells
	publicMinSpan     = 0.1   // degrees: a public bbox narrower than this each way is widened to it
)

// DefaultPublicMinCount is the least count of a cell the public view is
// shown when web.Config.PublicMinCount is not set.
const DefaultPublicMinCount = 3

// mode is what a subscription is sent: single incidents or H3 cell counts.
type mode string

const (
	modeIncidents mode = "incidents"
	modeCells     mode = "cells"
)

// subscription is one client's viewport and filters, checked and ready to
// match incidents against.
type subscription struct {
	id    string
	bbox  [4]float64 // west, south, east, north
	mode  mode
	res   int // H3 resolution of the cells, or 9 in incidents mode
	view  View
	which filters
	batch bool // the client takes several messages per frame, one per line
	// minCount is the least count of a cell the client is shown: 1, or the
	// public view's k. A cell counting fewer is reported as 0 (absent).
	minCount int
	// rollup is set for the public view at resolution 5: incidents are
	// counted by their resolution-7 cells, and a resolution-5 cell shows the
	// sum of its children that count at least minCount. Otherwise the
	// difference between a resolution-5 count and the counts of its
	// children shown at resolution 7 would tell the incidents of children
	// hidden for counting fewer than k.
	rollup bool
}

// countRes is the resolution at which the subscription's incidents are
// counted: its own, or 7 when it rolls counts up.
func (s *subscription) countRes() int {
	if s.rollup {
		return cityops.ResDistrict
	}
	return s.res
}

// filters are the values each filter takes; an empty list takes every value.
type filters struct {
	category, status, department, source []string
}

// subscribeMsg is a subscribe message as it is decoded.
type subscribeMsg struct {
	ID      string                     `json:"id"`
	BBox    *[4]float64                `json:"bbox"`
	Zoom    *float64                   `json:"zoom"`
	Filters map[string]json.RawMessage `json:"filters"`
	Batch   bool                       `json:"batch"`
}

// subscribeFields are the fields a subscribe message may have.
var subscribeFields = []string{"type", "id", "bbox", "zoom", "filters", "batch"}

// parseSubscription checks a subscribe message for a client with view v. Its
// errors are *cityops.FieldError naming the field at fault.
func parseSubscription(raw map[string]json.RawMessage, v View) (*subscription, error) {
	for _, k := range sortedKeys(raw) {
		if !slices.Contains(subscribeFields, k) {
			return nil, cityops.Invalid(k, "unknown field; want one of %v", subscribeFields[1:])
		}
	}
	var m subscribeMsg
	for k, dst := range map[string]any{"id": &m.ID, "bbox": &m.BBox, "zoom": &m.Zoom, "filters": &m.Filters, "batch": &m.Batch} {
		if b, ok := raw[k]; ok {
			if err := json.Unmarshal(b, dst); err != nil {
				return nil, cityops.Invalid(k, "%v", jsonReason(err))
			}
		}
	}
	if len(m.ID) > maxValueBytes {
		return nil, cityops.Invalid("id", "is longer than %d bytes", maxValueBytes)
	}
	s := &subscription{id: m.ID, bbox: [4]float64{-180, -90, 180, 90}, view: v, batch: m.Batch, minCount: 1}
	if m.BBox != nil {
		b := *m.BBox
		for _, x := range b {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, cityops.Invalid("bbox", "has a value that is not a number")
			}
		}
		if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3] {
			return nil, cityops.Invalid("bbox", "%v is not [west, south, east, north] with -180 <= west < east <= 180 and -90 <= south < north <= 90", b)
		}
		s.bbox = b
	}
	zoom := 0.0
	if m.Zoom != nil {
		zoom = *m.Zoom
		if !(zoom >= 0 && zoom <= 24) {
			return nil, cityops.Invalid("zoom", "%v is not within 0..24", zoom)
		}
	}
	if v.Role == RolePublic {
		return publicSubscription(s, zoom, m.Filters)
	}
	switch {
	case zoom < zoomDistrictCells:
		s.mode, s.res = modeCells, cityops.ResCity
	case zoom < zoomIncidents:
		s.mode, s.res = modeCells, cityops.ResDistrict
	default:
		s.mode, s.res = modeIncidents, cityops.ResIncident
		if s.bbox[2]-s.bbox[0] > maxIncidentBBox || s.bbox[3]-s.bbox[1] > maxIncidentBBox {
			return nil, cityops.Invalid("bbox", "spans more than %v degrees at zoom %v; give the viewport, or zoom out for cells", maxIncidentBBox, zoom)
		}
	}
	f, err := parseFilters(m.Filters)
	if err != nil {
		return nil, err
	}
	s.which = f
	return s, nil
}

// publicSubscription finishes the subscription s of a client without a
// token, whose map is at zoom. The public view is anonymous: it is served
// whole cells of resolution 5 or 7 only, each counted whole (every open
// incident of the cell) when the cell's centre is in the bbox, whatever
// part of the cell the bbox covers; a bbox narrower than publicMinSpan is
// widened to it; cells counting fewer than the hub's minimum are not
// shown; and no filter narrows it. So no bbox and no sequence of them
// tells more than the counts of whole coarse cells of at least k incidents.
func publicSubscription(s *subscription, zoom float64, raw map[string]json.RawMessage) (*subscription, error) {
	f, err := parseFilters(raw)
	if err != nil {
		return nil, err
	}
	for name, values := range map[string][]string{"category": f.category, "status": f.status, "department": f.department, "source": f.source} {
		if len(values) > 0 {
			return nil, cityops.Invalid("filters."+name, "the public view takes no filters; authenticate for them")
		}
	}
	s.mode, s.res, s.rollup = modeCells, cityops.ResCity, true
	if zoom >= zoomDistrictCells {
		s.res, s.rollup = cityops.ResDistrict, false
	}
	s.bbox[0], s.bbox[2] = widen(s.bbox[0], s.bbox[2], -180, 180)
	s.bbox[1], s.bbox[3] = widen(s.bbox[1], s.bbox[3], -90, 90)
	return s, nil
}

// widen returns the range lo..hi widened about its middle to publicMinSpan
// when it is narrower, moved to stay within min..max.
func widen(lo, hi, min, max float64) (float64, float64) {
	if hi-lo >= publicMinSpan {
		return lo, hi
	}
	mid := (lo + hi) / 2
	lo, hi = mid-publicMinSpan/2, mid+publicMinSpan/2
	if lo < min {
		lo, hi = min, min+publicMinSpan
	}
	if hi > max {
		lo, hi = max-publicMinSpan, max
	}
	return lo, hi
}

// parseFilters checks the filters of a subscribe message.
func parseFilters(raw map[string]json.RawMessage) (filters, error) {
	var f filters
	dst := map[string]*[]string{"category": &f.category, "status": &f.status, "department": &f.department, "source": &f.source}
	for _, k := range sortedKeys(raw) {
		field := "filters." + k
		p, ok := dst[k]
		if !ok {
			return f, cityops.Invalid(field, "unknown filter; want category, status, department or source")
		}
		if err := json.Unmarshal(raw[k], p); err != nil {
			return f, cityops.Invalid(field, "is not a list of strings")
		}
		if len(*p) > maxFilterValues {
			return f, cityops.Invalid(field, "has %d values, more than %d", len(*p), maxFilterValues)
		}
		for _, v := range *p {
			switch {
			case len(v) > maxValueBytes:
				return f, cityops.Invalid(field, "has a value longer than %d bytes", maxValueBytes)
			case k == "status" && !cityops.Status(v).Valid():
				return f, cityops.Invalid(field, "unknown status %q", v)
			case k == "source" && !cityops.Source(v).Valid():
				return f, cityops.Invalid(field, "unknown source %q; want hotline or iot", v)
			}
		}
	}
	return f, nil
}

// public reports whether the subscription is of the public view.
func (s *subscription) public() bool { return s.view.Role == RolePublic }

// inBBox reports whether the incident e is inside the subscription's bbox:
// its own position, or, for the public view, the centre of its cell.
func (s *subscription) inBBox(e *entry) bool {
	lat, lon := e.lat, e.lon
	if s.public() {
		lat, lon = e.centreAt(s.res)
	}
	return lon >= s.bbox[0] && lon <= s.bbox[2] && lat >= s.bbox[1] && lat <= s.bbox[3]
}

// match reports whether the open incident e belongs to the subscription.
func (s *subscription) match(e *entry) bool {
	return s.inBBox(e) && s.view.sees(e.department) &&
		takes(s.which.status, string(e.status)) && takes(s.which.category, e.category) &&
		takes(s.which.department, e.department) && takes(s.which.source, string(e.source)) &&
		(s.mode == modeIncidents || e.cellAt(s.countRes()) != 0)
}

func takes(values []string, v string) bool { return len(values) == 0 || slices.Contains(values, v) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// jsonReason says briefly why a value did not decode.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("is a JSON %s, want %s", te.Value, te.Type)
	}
	return err.Error()
}
