package learn

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

// Report is how far a pack agrees with the city's own records.
//
// Agency is measured on every record. Area is measured on the records that
// carry both a location and a specified area: a record without a location
// cannot be placed by geo (Unplaced), and one whose recorded area is
// "Unspecified" or "0 ..." has nothing to agree with (Unspecified); both are
// counted and left out.
type Report struct {
	Records     int
	AgencyOK    int
	Placed      int // records with a location and a specified area
	AreaOK      int
	Unplaced    int // records with a specified area but no location
	Unspecified int // records whose recorded area is unspecified
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
	r.Unplaced += o.Unplaced
	r.Unspecified += o.Unspecified
	if r.Disagreements == nil {
		r.Disagreements = map[string]int{}
	}
	for k, n := range o.Disagreements {
		r.Disagreements[k] += n
	}
}

// Agency returns the share of records routed to the department the city chose.
func (r *Report) Agency() float64 { return pct(r.AgencyOK, r.Records) }

// Area returns the share of placed records placed in the area the city recorded.
func (r *Report) Area() float64 { return pct(r.AreaOK, r.Placed) }

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Eval replays recs through pack: classification by its rules (the record's
// type as the event type, its descriptor as the text), placement by its
// areas and the lead department by its responsibility matrix.
func Eval(pack *rules.Pack, recs []Record) (Report, error) {
	ix, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return Report{}, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	mx := dispatch.NewMatrix(pack.Matrix)
	rep := Report{Disagreements: map[string]int{}}
	for i := range recs {
		r := &recs[i]
		ev := cityops.Event{ID: r.ID, Source: cityops.SourceHotline, Type: r.Type, Text: r.Descriptor,
			Lat: r.Lat, Lon: r.Lon, Time: r.Created}
		in := rules.NewInput(&ev, pack)
		area := ""
		if r.HasLoc {
			area, _ = ix.Locate(r.Lat, r.Lon)
			in.Area = area
		}
		d := pack.Engine.Classify(in)
		got := mx.Lead(d.Category, area)
		rep.Records++
		if got == r.Agency {
			rep.AgencyOK++
		} else {
			rep.Disagreements[fmt.Sprintf("agency: %s: %s -> %s", r.Type, r.Agency, got)]++
		}
		switch {
		case r.Area == "":
			rep.Unspecified++
		case !r.HasLoc:
			rep.Unplaced++
		default:
			rep.Placed++
			if area == r.Area {
				rep.AreaOK++
			} else {
				rep.Disagreements[fmt.Sprintf("area: %s -> %s", r.Area, cmp.Or(area, "none"))]++
			}
		}
	}
	return rep, nil
}

// Print writes the report: counts, the most frequent disagreements (at most
// top), and last the line "agency=NN.N% area=NN.N%".
func (r *Report) Print(w io.Writer, top int) {
	fmt.Fprintf(w, "records %d: agency agrees on %d\n", r.Records, r.AgencyOK)
	fmt.Fprintf(w, "placed %d (left out: %d without a location, %d with an unspecified area): area agrees on %d\n",
		r.Placed, r.Unplaced, r.Unspecified, r.AreaOK)
	keys := slices.SortedFunc(maps.Keys(r.Disagreements), func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Disagreements[b], r.Disagreements[a]), cmp.Compare(a, b))
	})
	if len(keys) > 0 {
		fmt.Fprintln(w, "disagreements, most frequent first:")
	}
	for _, k := range keys[:min(top, len(keys))] {
		fmt.Fprintf(w, "  %5d  %s\n", r.Disagreements[k], k)
	}
	fmt.Fprintf(w, "agency=%.1f%% area=%.1f%%\n", r.Agency(), r.Area())
}
