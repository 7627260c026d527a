package learn

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
)

// Report is how far a pack agrees with the city's own records.
//
// Agency is measured on every record. Area is measured on the records that
// carry both a location and a specified area: a record without a location
// cannot be placed by geo (Unplaced), and one whose recorded area is
// "Unspecified" or "0 ..." has nothing to agree with (Unspecified); both are
// counted and left out.
//
// Area is the pack's whole placement: geometry, and the pack's learned
// boundary tie-breaks near boundaries. AreaGeometry is point in polygon
// alone, reported apart so that the learned layer's share is plain.
type Report struct {
	Records        int
	AgencyOK       int
	Placed         int // records with a location and a specified area
	AreaOK         int
	AreaGeometryOK int // of Placed, how many point in polygon alone places right
	Unplaced       int // records with a specified area but no location
	Unspecified    int // records whose recorded area is unspecified
	// AreaUnknown counts the records whose recorded area id is not an area
	// of the pack: another version of the boundaries, or a wrong --area-key.
	// They are left out of Placed, and listed with examples.
	AreaUnknown  int
	UnknownAreas map[string]int
	// Unseen counts the records of types no rule of the pack names (types
	// never seen in training), UnseenNear those of them a near.* rule
	// routed, UnseenOK those routed to the department the city chose.
	Unseen, UnseenNear, UnseenOK int
	// Tiebroken counts the placements each tie-break layer made, and
	// TiebrokenOK how many of them agree with the record.
	Tiebroken, TiebrokenOK map[rules.Placement]int
	// AreaMisses counts the area misses by how far the recorded area lies
	// from the point (see missKind).
	AreaMisses map[string]int
	// Disagreements counts the misses by kind: "agency: TYPE: want -> got"
	// and "area: want -> got".
	Disagreements map[string]int
}

// Add adds o's counts to r.
func (r *Report) Add(o Report) {
	r.Records += o.Records
	r.AgencyOK += o.AgencyOK
	r.Placed += o.Placed
	r.AreaOK += o.AreaOK
	r.AreaGeometryOK += o.AreaGeometryOK
	r.Unplaced += o.Unplaced
	r.Unspecified += o.Unspecified
	r.AreaUnknown += o.AreaUnknown
	r.Unseen += o.Unseen
	r.UnseenNear += o.UnseenNear
	r.UnseenOK += o.UnseenOK
	r.makeMaps()
	addCounts(r.UnknownAreas, o.UnknownAreas)
	addCounts(r.Disagreements, o.Disagreements)
	addCounts(r.AreaMisses, o.AreaMisses)
	addCounts(r.Tiebroken, o.Tiebroken)
	addCounts(r.TiebrokenOK, o.TiebrokenOK)
}

// makeMaps makes r's maps when they are nil.
func (r *Report) makeMaps() {
	if r.Disagreements == nil {
		r.Disagreements, r.AreaMisses = map[string]int{}, map[string]int{}
		r.Tiebroken, r.TiebrokenOK = map[rules.Placement]int{}, map[rules.Placement]int{}
	}
	if r.UnknownAreas == nil {
		r.UnknownAreas = map[string]int{}
	}
}

func addCounts[K comparable](dst, src map[K]int) {
	for k, n := range src {
		dst[k] += n
	}
}

// Agency returns the share of records routed to the department the city chose.
func (r *Report) Agency() float64 { return pct(r.AgencyOK, r.Records) }

// AreaMeasured says whether any record could be judged on its area.
func (r *Report) AreaMeasured() bool { return r.Placed > 0 }

// Area returns the share of placed records placed in the area the city recorded.
func (r *Report) Area() float64 { return pct(r.AreaOK, r.Placed) }

// AreaGeometry returns the share that point in polygon alone places in the
// area the city recorded.
func (r *Report) AreaGeometry() float64 { return pct(r.AreaGeometryOK, r.Placed) }

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Eval replays recs through pack: classification by its rules (the record's
// type as the event type, its descriptor as the text), placement by its
// areas and tie-breaks (the record's address included) and the lead
// department by its responsibility matrix.
func Eval(pack *rules.Pack, recs []Record) (Report, error) {
	ix, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return Report{}, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	mx := process.NewAssigner(pack.Matrix)
	var rep Report
	rep.makeMaps()
	for i := range recs {
		r := &recs[i]
		ev := cityops.Event{ID: r.ID, Source: cityops.SourceHotline, Type: r.Type, Text: r.Descriptor,
			Lat: r.Lat, Lon: r.Lon, Time: r.Created}
		in := rules.NewInput(&ev, pack)
		area, geometric, by := "", "", rules.ByGeometry
		if r.HasLoc {
			geometric, _ = ix.Locate(r.Lat, r.Lon)
			area, by = pack.Tiebreaks.Place(ix, r.Lat, r.Lon, rules.Site{Address: r.Address, StreetOnly: rules.StreetOnly(r.Address)})
			in.Area = area
		}
		d := pack.Classify(in)
		got := mx.Lead(d.Category, area)
		rep.Records++
		unseen, near := true, false
		for _, id := range d.Matched {
			if strings.HasPrefix(id, "near.") {
				near = true
			} else {
				unseen = false
			}
		}
		if unseen {
			rep.Unseen++
			if near {
				rep.UnseenNear++
			}
			if got == r.Agency {
				rep.UnseenOK++
			}
		}
		if got == r.Agency {
			rep.AgencyOK++
		} else {
			rep.Disagreements[fmt.Sprintf("agency: %s: %s -> %s", r.Type, r.Agency, got)]++
		}
		switch {
		case r.Area == "":
			rep.Unspecified++
		case !known(ix, r.Area):
			rep.AreaUnknown++
			rep.UnknownAreas[r.Area]++
		case !r.HasLoc:
			rep.Unplaced++
		default:
			rep.Placed++
			if geometric == r.Area {
				rep.AreaGeometryOK++
			}
			if by != rules.ByGeometry {
				rep.Tiebroken[by]++
			}
			if area == r.Area {
				rep.AreaOK++
				if by != rules.ByGeometry {
					rep.TiebrokenOK[by]++
				}
			} else {
				rep.AreaMisses[missKind(ix, r)]++
				rep.Disagreements[fmt.Sprintf("area: %s -> %s", r.Area, cmp.Or(area, "none"))]++
			}
		}
	}
	return rep, nil
}

func known(ix *geo.Index, id string) bool {
	_, ok := ix.Area(id)
	return ok
}

// The kinds of area misses, by how far from the point the recorded area
// lies, in the order Print lists them.
const (
	MissBoundary = "recorded area within 10 m (the point lies on a boundary)"
	MissNear     = "recorded area 10-100 m away"
	MissFar      = "recorded area 100 m-1 km away"
	MissRecord   = "recorded area over 1 km away (an error of the record)"
)

var missKinds = []string{MissBoundary, MissNear, MissFar, MissRecord}

// missKind says how far from the record's point its recorded area lies.
func missKind(ix *geo.Index, r *Record) string {
	for _, k := range []struct {
		metres float64
		kind   string
	}{{rules.NearMetres, MissBoundary}, {100, MissNear}, {1000, MissFar}} {
		if slices.Contains(ix.Near(r.Lat, r.Lon, k.metres), r.Area) {
			return k.kind
		}
	}
	return MissRecord
}

// Print writes the report: counts, the unseen types, the area ids the
// boundary file lacks, the most frequent disagreements (at most top), the
// area misses by kind, and last the line "agency=NN.N% area=NN.N%", after
// one that sets the area share beside that of geometry alone. When no
// record could be judged on its area the last line says
// "area=not measured".
func (r *Report) Print(w io.Writer, top int) {
	fmt.Fprintf(w, "records %d: agency agrees on %d\n", r.Records, r.AgencyOK)
	if r.Unseen > 0 {
		fmt.Fprintf(w, "unseen types (no rule names them): %d records, %d routed by the types they resemble (near.*), %d by the city-wide default: agency agrees on %d\n",
			r.Unseen, r.UnseenNear, r.Unseen-r.UnseenNear, r.UnseenOK)
	}
	fmt.Fprintf(w, "placed %d (left out: %d without a location, %d with an unspecified area, %d whose area id is not in the boundary file): area agrees on %d, geometry alone on %d\n",
		r.Placed, r.Unplaced, r.Unspecified, r.AreaUnknown, r.AreaOK, r.AreaGeometryOK)
	if r.AreaUnknown > 0 {
		ids := slices.SortedFunc(maps.Keys(r.UnknownAreas), func(a, b string) int {
			return cmp.Or(cmp.Compare(r.UnknownAreas[b], r.UnknownAreas[a]), cmp.Compare(a, b))
		})
		why := "a boundary-version problem, or the wrong --area-key"
		if r.Placed == 0 {
			why = "none is: the pack was learned without --areas, or with the wrong --area-key"
		}
		fmt.Fprintf(w, "area ids recorded but not in the boundary file (%s), most frequent first: %s\n", why, examples(ids))
	}
	for _, by := range []rules.Placement{rules.BySpot, rules.ByAddress, rules.ByStreet, rules.BySide, rules.BySeldom} {
		if r.Placed > 0 {
			fmt.Fprintf(w, "  tie-broken by %s: %d, agreeing %d\n", by, r.Tiebroken[by], r.TiebrokenOK[by])
		}
	}
	keys := slices.SortedFunc(maps.Keys(r.Disagreements), func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Disagreements[b], r.Disagreements[a]), cmp.Compare(a, b))
	})
	if len(keys) > 0 {
		fmt.Fprintln(w, "disagreements, most frequent first:")
	}
	for _, k := range keys[:min(top, len(keys))] {
		fmt.Fprintf(w, "  %5d  %s\n", r.Disagreements[k], k)
	}
	if len(r.AreaMisses) > 0 {
		fmt.Fprintln(w, "area misses by kind:")
	}
	for _, k := range missKinds {
		if n := r.AreaMisses[k]; n > 0 {
			fmt.Fprintf(w, "  %5d  %s\n", n, k)
		}
	}
	if !r.AreaMeasured() {
		fmt.Fprintln(w, "area: not measured (no record has both a location and a recorded area the boundary file knows)")
		fmt.Fprintf(w, "agency=%.1f%% area=not measured\n", r.Agency())
		return
	}
	fmt.Fprintf(w, "area_geometry=%.2f%% area=%.2f%%\n", r.AreaGeometry(), r.Area())
	fmt.Fprintf(w, "agency=%.1f%% area=%.1f%%\n", r.Agency(), r.Area())
}
