package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cityops/cityops/rules/learn"
)

func init() {
	packCommands["learn"] = runPackLearn
	packCommands["eval"] = runPackEval
}

// requestFlags registers the flags that say how to read a request history.
func requestFlags(fs *flag.FlagSet) (file, format, mapping *string) {
	file = fs.String("requests", "", "CSV file of historical requests")
	format = fs.String("format", "nyc311", "built-in CSV layout: nyc311")
	mapping = fs.String("mapping", "", "YAML file naming the CSV's columns, for other layouts (overrides --format)")
	return
}

// readRequests reads the request history, returning it with the mapping
// it was read by.
func readRequests(file, format, mapping string) ([]learn.Record, learn.Mapping, error) {
	if file == "" {
		return nil, learn.Mapping{}, errors.New("--requests is required")
	}
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
	recs, err := learn.ReadCSV(f, m)
	if err != nil {
		return nil, m, fmt.Errorf("reading %s: %w", file, err)
	}
	return recs, m, nil
}

func runPackLearn(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags("pack learn", stderr, &o)
	file, format, mapping := requestFlags(fs)
	areas := fs.String("areas", "", "GeoJSON of the city's areas")
	key := fs.String("area-key", "id", "the areas' property holding the area id the requests use")
	out := fs.String("out", "", "directory to write the pack to")
	name := fs.String("name", "learned city", "the pack's name")
	folds := fs.Int("folds", 0, "also cross-validate with this many folds and print the report")
	verbFlagUsage(fs, stderr, verbUsage{"pack learn --requests FILE.csv [--format nyc311 | --mapping FILE] --areas AREAS.geojson --area-key PROP --out DIR",
		"Bootstrap a city pack from a history of requests: categories, departments and rules that reproduce their routing.", nil})
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *areas == "" || *out == "" {
		fs.Usage()
		return usageErrorf("--areas and --out are required")
	}
	recs, m, err := readRequests(*file, *format, *mapping)
	if err != nil {
		return err
	}
	geojson, err := os.ReadFile(*areas)
	if err != nil {
		return fmt.Errorf("reading areas: %w", err)
	}
	opt := learn.Options{Name: *name, TimeZone: m.TimeZone, Areas: geojson, AreaKey: *key}
	l, err := learn.Learn(recs, opt)
	if err != nil {
		return err
	}
	if err := l.Write(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d categories, %d departments, %d matrix entries, %d boundary tie-breaks from %d requests\n",
		*out, len(l.Categories), len(l.Departments), len(l.Matrix), len(l.Tiebreaks), len(recs))
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
			fmt.Fprintf(stdout, "fold %d: %d records, agency=%.1f%% area_geometry=%.2f%% area=%.2f%%\n",
				i, f.Records, f.Agency(), f.AreaGeometry(), f.Area())
		}
		rep.Print(stdout, 10)
	}
	return nil
}

func runPackEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags("pack eval", stderr, &o)
	file, format, mapping := requestFlags(fs)
	top := fs.Int("top", 15, "disagreements to list")
	verbFlagUsage(fs, stderr, verbUsage{"pack eval DIR --requests FILE.csv [--format nyc311 | --mapping FILE]",
		"Measure how the pack in DIR routes a history of requests against where they really went, with its disagreements.", nil})
	if len(args) > 0 && isHelp(args[0]) {
		fs.Usage()
		return flag.ErrHelp
	}
	// The pack directory comes first: cityops pack eval DIR --requests ...
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		fs.Usage()
		return usageErrorf("no pack directory")
	}
	o.pack = args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	pack, err := o.loadPack()
	if err != nil {
		return err
	}
	recs, _, err := readRequests(*file, *format, *mapping)
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
