package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/rules/learn"
)

func init() {
	packCommands["learn"] = runPackLearn
	packCommands["eval"] = runPackEval
}

// requestFlags registers the flags that say how to read a request history.
func requestFlags(fs *flag.FlagSet) (file, format, mapping *string) {
	file = fs.String("requests", "", "CSV file of historical requests (required)")
	format = fs.String("format", "nyc311", "built-in CSV layout: nyc311")
	mapping = fs.String("mapping", "", "YAML file naming the CSV's columns, for other layouts (overrides --format); the same file replay reads, see docs/onboarding.md")
	return
}

// readRequests reads the request history, returning it with the mapping
// it was read by. Malformed rows are skipped, and said so on stderr.
func readRequests(file, format, mapping string, stderr io.Writer) ([]learn.Record, learn.Mapping, error) {
	m, ok := learn.Formats[format]
	if mapping != "" {
		var err error
		if m, err = learn.LoadMapping(mapping); err != nil {
			return nil, m, err
		}
	} else if !ok {
		return nil, m, fmt.Errorf("unknown format %q", format)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, m, fmt.Errorf("opening requests: %w", err)
	}
	defer f.Close()
	recs, skipped, err := learn.ReadCSVSkipping(f, m)
	if err != nil {
		return nil, m, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "warning: %s: skipped %d malformed rows, e.g. %s\n", file, len(skipped), strings.Join(skipped[:min(3, len(skipped))], "; "))
	}
	return recs, m, nil
}

const packLearnUsage = "cityops pack learn --requests FILE.csv [--format nyc311 | --mapping FILE.yaml] [--areas AREAS.geojson --area-key PROP] --out DIR"

func runPackLearn(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("pack learn", stderr, &o)
	file, format, mapping := requestFlags(fs)
	areas := fs.String("areas", "", "GeoJSON of the city's areas, optional: without it the pack routes by department alone and area is not measured")
	key := fs.String("area-key", "id", "the areas' property holding the area id the requests record (NYC community districts: BoroCD)")
	areaName := fs.String("area-name", "", "the areas' property holding an area's name (default: the first property whose key says name)")
	level := fs.String("area-level", "district", "the level of the areas: city, district, street or grid")
	out := fs.String("out", "", "directory to write the pack to (required)")
	name := fs.String("name", "", "the pack's name (default: the mapping's city, else the --out directory's name)")
	folds := fs.Int("folds", 0, "also cross-validate with this many folds and print the report")
	verbFlagUsage(fs, stderr, verbUsage{"pack learn --requests FILE.csv [--format nyc311 | --mapping FILE] --areas AREAS.geojson --area-key PROP --out DIR",
		"Bootstrap a city pack from a history of requests: categories, departments and rules that reproduce their routing.", nil})
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *file == "" || *out == "" {
		return missingArgs(fs, packLearnUsage)
	}
	switch cityops.AreaLevel(*level) {
	case cityops.LevelCity, cityops.LevelDistrict, cityops.LevelStreet, cityops.LevelGrid:
	default:
		return fmt.Errorf("--area-level %q: want city, district, street or grid", *level)
	}
	recs, m, err := readRequests(*file, *format, *mapping, stderr)
	if err != nil {
		return err
	}
	var geojson []byte
	if *areas != "" {
		if geojson, err = os.ReadFile(*areas); err != nil {
			return fmt.Errorf("reading areas: %w", err)
		}
	}
	packName := cmp.Or(*name, m.City, filepath.Base(filepath.Clean(*out)))
	opt := learn.Options{Name: packName, TimeZone: cmp.Or(m.TimeZone, "UTC"), Areas: geojson, AreaKey: *key, AreaName: *areaName, AreaLevel: cityops.AreaLevel(*level)}
	l, err := learn.Learn(recs, opt)
	if err != nil {
		return err
	}
	if err := l.Write(*out); err != nil {
		return err
	}
	near, services := 0, 0
	for _, c := range l.Categories {
		if strings.HasPrefix(c.Code, "N") {
			near++
		}
		if c.ServiceCode != "" {
			services++
		}
	}
	fmt.Fprintf(stdout, "%s (%s): %d categories, %d departments, %d matrix entries, %d boundary tie-breaks from %d requests\n",
		*out, packName, len(l.Categories), len(l.Departments), len(l.Matrix), len(l.Tiebreaks), len(recs))
	fmt.Fprintf(stdout, "request types never seen here are routed by %d near.* rules (code prefix, leading words, shared words, style), else to %s\n", near, l.Default)
	fmt.Fprintf(stdout, "Open311 services: %d (service_code = category code; a request routes by its service_code)\n", services)
	for _, w := range l.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	if s := l.Boundaries.Side; s != nil {
		fmt.Fprintf(stdout, "street-only locations on a boundary: recorded at bearing %g from the point for %d of %d\n", s.Bearing, s.Agreed, s.Of)
	}
	if n := len(l.Boundaries.Seldom); n > 0 {
		fmt.Fprintf(stdout, "areas seldom recorded at their edges: %d\n", n)
	}
	if *folds > 1 {
		tmp, err := os.MkdirTemp("", "cityops-folds-")
		if err != nil {
			return fmt.Errorf("creating fold directory: %w", err)
		}
		defer os.RemoveAll(tmp)
		rep, perFold, err := learn.CrossValidate(recs, opt, *folds, tmp)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d-fold cross-validation:\n", *folds)
		for i, f := range perFold {
			if !f.AreaMeasured() {
				fmt.Fprintf(stdout, "fold %d: %d records, agency=%.1f%% area not measured\n", i, f.Records, f.Agency())
				continue
			}
			fmt.Fprintf(stdout, "fold %d: %d records, agency=%.1f%% area_geometry=%.2f%% area=%.2f%%\n",
				i, f.Records, f.Agency(), f.AreaGeometry(), f.Area())
		}
		rep.Print(stdout, 10)
	}
	return nil
}

func runPackEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("pack eval", stderr, &o)
	file, format, mapping := requestFlags(fs)
	top := fs.Int("top", 15, "disagreements to list")
	// The pack directory may come first: cityops pack eval DIR --requests ...
	const usage = "cityops pack eval DIR --requests FILE.csv [--format nyc311 | --mapping FILE.yaml]"
	verbFlagUsage(fs, stderr, verbUsage{strings.TrimPrefix(usage, "cityops "),
		"Measure how the pack in DIR routes a history of requests against where they really went, with its disagreements.", nil})
	dir, rest := firstArg(args)
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	if dir == "" && fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	if dir == "" || *file == "" {
		return missingArgs(fs, usage)
	}
	o.Pack = dir
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	recs, _, err := readRequests(*file, *format, *mapping, stderr)
	if err != nil {
		return err
	}
	rep, err := learn.Eval(pack, recs)
	if err != nil {
		return err
	}
	rep.Print(stdout, *top)
	return nil
}
