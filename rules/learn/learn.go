package learn

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// Options control Learn.
type Options struct {
	Name     string // the pack's name (default "city")
	TimeZone string
	// Areas is the GeoJSON FeatureCollection of the city's areas. Without
	// it the pack has one area, the box around the records, and learns
	// routing by department alone: no area practice, no tie-breaks.
	Areas     []byte
	AreaKey   string            // the property of Areas that holds the area id the records use
	AreaName  string            // the property that holds an area's name (default: the first whose key says "name")
	AreaLevel cityops.AreaLevel // the level of the areas (default district)
	// NoNear leaves out the rules that route request types never seen in
	// training by the seen types they resemble (near.*), so that they fall
	// back to the city-wide department: for measuring what those rules do.
	NoNear bool
	// MinAreaSupport is how many records of a category an area needs, with
	// a majority department other than the city-wide one, to get its own
	// matrix entry (default 3).
	MinAreaSupport int
}

// Learned is a pack learned from records, ready to Write.
type Learned struct {
	Name        string
	TimeZone    string
	Areas       []byte // the area GeoJSON with "id" properties
	Categories  []cityops.Category
	Departments []cityops.Department
	Default     string
	Matrix      [][3]string // category, area ("" = city-wide), department
	Rules       []learnedRule
	// Tiebreaks are the requests that lie near a boundary between areas,
	// with the area the city recorded, for rules.Tiebreaks.
	Tiebreaks []rules.TiebreakEntry
	// Boundaries are the conventions by which the city placed street-only
	// locations on boundaries.
	Boundaries rules.Boundaries
	// Warnings say what the learning could not do and why: no recorded area
	// matched the boundary file, no tie-breaks, no areas given.
	Warnings []string
}

type learnedRule struct {
	ID         string
	Type       string
	Descriptor string // "" for the type's own rule
	Category   string
	Priority   int
	When       string // a condition of a near.* rule, which has no type
}

// tally counts departments.
type tally map[string]int

func (t tally) top() (string, int) {
	best, n := "", -1
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if t[k] > n {
			best, n = k, t[k]
		}
	}
	return best, n
}

// Learn builds a pack from records.
func Learn(recs []Record, opt Options) (*Learned, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("learning: %w", cityops.Invalid("requests", "none"))
	}
	if opt.MinAreaSupport <= 0 {
		opt.MinAreaSupport = 3
	}
	l := &Learned{Name: cmp.Or(opt.Name, "city"), TimeZone: opt.TimeZone}
	var areas []byte
	var areaIDs []string
	if opt.Areas == nil {
		areas = boxAreas(recs, opt.Name)
		l.Warnings = append(l.Warnings, "no areas given (--areas): the pack has one area around the records and routes by department alone; area agreement is not measured")
	} else {
		var err error
		if areas, areaIDs, err = rewriteAreas(opt.Areas, opt.AreaKey, opt.AreaName, cmp.Or(opt.AreaLevel, cityops.LevelDistrict)); err != nil {
			return nil, err
		}
	}
	ix, err := geo.NewIndex(areas, geo.Options{})
	if err != nil {
		return nil, fmt.Errorf("indexing areas: %w", err)
	}
	l.Areas = areas
	known := map[string]bool{}
	for _, id := range areaIDs {
		known[id] = true
	}
	if opt.Areas != nil {
		l.Warnings = append(l.Warnings, areaWarnings(recs, known, opt.AreaKey)...)
	}

	byType := map[string]tally{}
	byDesc := map[[2]string]tally{}
	all := tally{}
	names := map[string]string{}
	for _, r := range recs {
		if byType[r.Type] == nil {
			byType[r.Type] = tally{}
		}
		byType[r.Type][r.Agency]++
		k := [2]string{r.Type, r.Descriptor}
		if byDesc[k] == nil {
			byDesc[k] = tally{}
		}
		byDesc[k][r.Agency]++
		all[r.Agency]++
		if r.AgencyName != "" {
			names[r.Agency] = r.AgencyName
		}
	}
	l.Default, _ = all.top()
	for _, a := range slices.Sorted(maps.Keys(all)) {
		l.Departments = append(l.Departments, cityops.Department{ID: a, Name: cmp.Or(names[a], a)})
	}

	// A category per type, and one per type and descriptor whose majority
	// department differs from its type's. Each is an Open311 service under
	// its own code, so that a request made through GeoReport v2 routes by
	// its service_code as the city routed the requests of that type.
	catOf := map[[2]string]string{} // (type, descriptor or "") -> code
	lead := map[string]string{}
	for ti, typ := range slices.Sorted(maps.Keys(byType)) {
		code := fmt.Sprintf("T%04d", ti+1)
		catOf[[2]string{typ, ""}] = code
		lead[code], _ = byType[typ].top()
		l.Rules = append(l.Rules, learnedRule{ID: "type." + code, Type: typ, Category: code})
		l.Categories = append(l.Categories, cityops.Category{Code: code, Kind: cityops.KindEvent, Name: typ, NameEN: typ, Severity: 2, ServiceCode: code})
		di := 0
		for _, k := range slices.SortedFunc(maps.Keys(byDesc), func(a, b [2]string) int { return cmp.Compare(a[1], b[1]) }) {
			if k[0] != typ || k[1] == "" {
				continue
			}
			if d, _ := byDesc[k].top(); d == lead[code] {
				continue
			}
			di++
			sub := fmt.Sprintf("%s.%02d", code, di)
			catOf[k] = sub
			lead[sub], _ = byDesc[k].top()
			l.Rules = append(l.Rules, learnedRule{ID: "desc." + sub, Type: typ, Descriptor: k[1], Category: sub})
			l.Categories = append(l.Categories, cityops.Category{Code: sub, Kind: cityops.KindEvent, Name: typ + ": " + k[1], NameEN: typ + ": " + k[1], Severity: 2, ServiceCode: sub})
		}
	}

	// The matrix: each category's majority department city-wide, and an
	// area's own where it differs with enough support.
	perArea := map[[2]string]tally{}
	hours := map[string][]float64{}
	for _, r := range recs {
		code := catOf[[2]string{r.Type, r.Descriptor}]
		if code == "" {
			code = catOf[[2]string{r.Type, ""}]
		}
		area := r.Area
		if !known[area] && r.HasLoc {
			area, _ = ix.Locate(r.Lat, r.Lon)
		}
		if known[area] {
			k := [2]string{code, area}
			if perArea[k] == nil {
				perArea[k] = tally{}
			}
			perArea[k][r.Agency]++
		}
		if !r.Closed.IsZero() && !r.Created.IsZero() && r.Closed.After(r.Created) {
			hours[code] = append(hours[code], r.Closed.Sub(r.Created).Hours())
		}
	}
	for _, code := range slices.Sorted(maps.Keys(lead)) {
		l.Matrix = append(l.Matrix, [3]string{code, "", lead[code]})
	}
	for _, k := range slices.SortedFunc(maps.Keys(perArea), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		if d, n := perArea[k].top(); d != lead[k[0]] && n >= opt.MinAreaSupport && n > perArea[k][lead[k[0]]] {
			l.Matrix = append(l.Matrix, [3]string{k[0], k[1], d})
		}
	}

	if !opt.NoNear {
		l.near(recs, byType)
	}

	l.Tiebreaks = tiebreaks(recs, ix, known)
	l.Boundaries = boundaries(recs, ix, known)
	if opt.Areas != nil && len(l.Tiebreaks) == 0 {
		l.Warnings = append(l.Warnings, "0 boundary tie-breaks: no record near a boundary names one of the areas there; check --area-key and the mapping's area and area_format")
	}

	// Deadlines: the time within which four in five requests were closed.
	for i := range l.Categories {
		c := &l.Categories[i]
		h := hours[c.Code]
		if len(h) == 0 {
			continue
		}
		slices.Sort(h)
		c.DeadlineHours = max(1, int(math.Ceil(h[(len(h)-1)*4/5])))
	}
	return l, nil
}

// tiebreaks returns the records that lie within rules.StreetMetres of a
// boundary and whose recorded area is one of the areas that lie that near:
// the city's own answers for points where geometry alone is a coin toss.
// A record whose recorded area lies farther off is an error of the record,
// and is left out.
func tiebreaks(recs []Record, ix *geo.Index, known map[string]bool) []rules.TiebreakEntry {
	var out []rules.TiebreakEntry
	for _, r := range recs {
		if !r.HasLoc || !known[r.Area] {
			continue
		}
		near := ix.Near(r.Lat, r.Lon, rules.StreetMetres)
		if len(near) > 1 && slices.Contains(near, r.Area) {
			out = append(out, rules.TiebreakEntry{Lat: r.Lat, Lon: r.Lon, Area: r.Area, Address: r.Address})
		}
	}
	return out
}

// areaWarnings says when the records' areas do not match the boundary
// file's ids: none at all (a wrong --area-key, area column or area_format),
// or only some (another version of the boundaries).
func areaWarnings(recs []Record, known map[string]bool, key string) []string {
	recorded, matched := 0, 0
	missing := tally{}
	for _, r := range recs {
		if r.Area == "" {
			continue
		}
		recorded++
		if known[r.Area] {
			matched++
		} else {
			missing[r.Area]++
		}
	}
	ids := slices.Sorted(maps.Keys(known))
	switch {
	case recorded == 0:
		return []string{"no record has an area (the mapping has no area key, or the column is empty): areas are learned from geometry alone"}
	case matched == 0:
		ex := slices.Sorted(maps.Keys(missing))
		return []string{fmt.Sprintf("no recorded area matched an area of the boundary file: the records say %s, the boundary file's %q property says %s; check --area-key and the mapping's area and area_format",
			examples(ex), key, examples(ids))}
	case len(missing) > 0:
		return []string{fmt.Sprintf("%d of %d records name %d areas the boundary file lacks (another version of the boundaries?): %s",
			recorded-matched, recorded, len(missing), examples(slices.Sorted(maps.Keys(missing))))}
	}
	return nil
}

func examples(ss []string) string {
	if len(ss) > 5 {
		return fmt.Sprintf("%q ... (%d in all)", ss[:5], len(ss))
	}
	return fmt.Sprintf("%q", ss)
}
