package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
)

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("rules test", stderr, &o, "clickhouse")
	history := fs.Bool("history", false, "run the pack over the events stored in ClickHouse and report how decisions change")
	since := fs.Duration("since", 30*24*time.Hour, "with --history: how far back")
	limit := fs.Int("limit", 1_000_000, "with --history: at most this many events")
	verbFlagUsage(fs, stderr, verbUsage{"rules test PACK EVENTS.ndjson | rules test PACK --history [flags]",
		"Print the pack's decision for each event of EVENTS.ndjson with the rules that made it, one JSON line per event;\n" +
			"or, with --history, run the pack over the events stored in ClickHouse and report how its decisions differ from those made.", nil})
	if len(args) > 0 && (isHelp(args[0]) || args[0] == "test" && len(args) > 1 && isHelp(args[1])) {
		fs.Usage()
		return flag.ErrHelp
	}
	if len(args) < 1 || args[0] != "test" {
		fs.Usage()
		return usageErrorf("want the verb test")
	}
	// PACK comes first: cityops rules test PACK [EVENTS.ndjson] [flags]
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		fs.Usage()
		return usageErrorf("no pack directory")
	}
	o.Pack = args[1]
	rest := args[2:]
	var file string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	if (file == "") != *history || fs.NArg() != 0 {
		fs.Usage()
		return usageErrorf("want either EVENTS.ndjson or --history")
	}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	if *history {
		return whatIfHistory(ctx, &o, pack, time.Now().Add(-*since), *limit, 20, stdout)
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("opening events: %w", err)
	}
	defer f.Close()
	return testEvents(ctx, pack, areas, f, stdout)
}

// decisionLine is what `rules test` prints for one event.
type decisionLine struct {
	Line     int      `json:"line"`
	ID       string   `json:"id,omitempty"`
	Area     string   `json:"area,omitempty"`
	PlacedBy string   `json:"placed_by,omitempty"` // the pack's boundary tie-break that chose the area, if one did
	Category string   `json:"category"`
	Name     string   `json:"category_name,omitempty"`
	Severity int      `json:"severity,omitempty"`
	Deadline string   `json:"deadline_class,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Matched  []string `json:"matched"`
	Error    string   `json:"error,omitempty"`
}

func testEvents(ctx context.Context, pack *rules.Pack, areas *geo.Index, r io.Reader, stdout io.Writer) error {
	names := map[string]string{}
	for _, c := range pack.Categories {
		names[c.Code] = c.Name
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(sc.Bytes()) == 0 {
			continue
		}
		line := decisionLine{Line: n, Matched: []string{}}
		var ev cityops.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			line.Error = fmt.Sprintf("decoding event: %v", err)
		} else {
			in := rules.NewInput(&ev, pack)
			var by rules.Placement
			in.Area, by = pack.Tiebreaks.Place(areas, ev.Lat, ev.Lon, rules.Site{})
			if by != rules.ByGeometry {
				line.PlacedBy = string(by)
			}
			in.District, _ = areas.Ancestor(in.Area, cityops.LevelDistrict)
			if cells, err := geo.CellsOf(ev.Lat, ev.Lon); err == nil {
				in.Cell = uint64(cells.Cell)
			}
			d := pack.Classify(in)
			line.ID, line.Area, line.Category, line.Name = ev.ID, in.Area, d.Category, names[d.Category]
			line.Severity, line.Deadline, line.Tags = d.Severity, d.DeadlineClass, d.Tags
			if d.Matched != nil {
				line.Matched = d.Matched
			}
		}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("writing decision: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading events: %w", err)
	}
	return nil
}
