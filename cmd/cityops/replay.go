package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/replay"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("replay", stderr, &o, "kafka", "pack")
	format := fs.String("format", "", "a built-in layout: nyc311")
	mappingFile := fs.String("mapping", "", "a YAML file naming the columns of another layout (the same file pack learn and pack eval read; see docs/onboarding.md)")
	extent := fs.String("extent", "", "GeoJSON areas the rows must lie in (default: the pack's areas)")
	extentID := fs.String("extent-id", "id", "the extent features' id property, e.g. BoroCode for NYC boroughs")
	maxAge := fs.Duration("max-age", 50*365*24*time.Hour, "oldest request accepted")
	dryRun := fs.Bool("dry-run", false, "validate only; send nothing")
	rejections := fs.String("rejections", "", "write every rejected row (line, key, column, reason) to this CSV file")
	file, rest := firstArg(args)
	if err := fs.Parse(rest); err != nil {
		return usageError{err}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return missingArgs(fs, "want one CSV file: cityops replay FILE.csv --format nyc311|--mapping FILE.yaml [--extent FILE.geojson --extent-id PROP] [--kafka host:port]")
	}
	m, err := mappingOf(*format, *mappingFile)
	if err != nil {
		return err
	}
	v, err := replayValidator(&o, *extent, *extentID, *maxAge)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading %s: %w", file, err)
	}
	cfg := replay.Config{Mapping: m, Validator: v}
	if !*dryRun {
		if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, bus.TopicEventsRaw); err != nil {
			return err
		}
		w := bus.NewWriter(o.Brokers(), bus.TopicEventsRaw)
		defer w.Close()
		cfg.Publish = w.WriteMessages
	}
	total := max(1, bytes.Count(data, []byte("\n"))-1)
	start := time.Now()
	tty := isTerminal(stderr)
	cfg.Progress = progress(stderr, total, tty)
	sum, err := replay.Run(ctx, bytes.NewReader(data), cfg)
	if tty {
		fmt.Fprintln(stderr) // end the bar's line
	}
	printSummary(stdout, file, sum, time.Since(start))
	if *dryRun {
		fmt.Fprintln(stdout, "dry run: validated only, nothing was sent")
	}
	if err != nil {
		return err
	}
	if *rejections != "" {
		return writeRejections(*rejections, sum.Rejections)
	}
	return nil
}

// firstArg lets the file come before the flags.
func firstArg(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

func mappingOf(format, file string) (replay.Mapping, error) {
	switch {
	case format != "" && file != "":
		return replay.Mapping{}, errors.New("give --format or --mapping, not both")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return replay.Mapping{}, fmt.Errorf("reading %s: %w", file, err)
		}
		return replay.ParseMapping(b)
	}
	m, ok := replay.Formats[format]
	if !ok {
		return m, fmt.Errorf("unknown --format %q (built in: nyc311; or give --mapping FILE.yaml)", format)
	}
	return m, nil
}

// replayValidator checks rows against the replayed city's extent: the areas
// of --extent, or the pack's own.
func replayValidator(o *role.Config, extent, idProp string, maxAge time.Duration) (*ingest.Validator, error) {
	var ix *geo.Index
	if extent != "" {
		b, err := os.ReadFile(extent)
		if err != nil {
			return nil, fmt.Errorf("reading the extent: %w", err)
		}
		if ix, err = geo.NewIndex(b, geo.Options{IDProp: idProp, Level: cityops.LevelDistrict}); err != nil {
			return nil, fmt.Errorf("indexing the extent %s: %w", extent, err)
		}
	} else {
		pack, err := o.LoadPack()
		if err != nil {
			return nil, err
		}
		if ix, err = geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS}); err != nil {
			return nil, fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
		}
	}
	return &ingest.Validator{
		BBox:     ix.BBox(),
		Contains: func(lat, lon float64) bool { _, ok := ix.Locate(lat, lon); return ok },
		MaxAge:   maxAge,
	}, nil
}

// progress reports rows of total done: a bar redrawn in place on a
// terminal, and elsewhere (a log file, a CI job) a plain line at each tenth
// of the way, so that logs get no carriage returns and few lines.
func progress(w io.Writer, total int, tty bool) func(rows int) {
	if tty {
		return func(rows int) { progressBar(w, rows, total) }
	}
	last := 0
	return func(rows int) {
		if tenth := min(10, rows*10/total); tenth > last {
			last = tenth
			fmt.Fprintf(w, "replay: %d/%d rows\n", rows, total)
		}
	}
}

func progressBar(w io.Writer, rows, total int) {
	const width = 40
	done := min(width, rows*width/total)
	fmt.Fprintf(w, "\r  [%s%s] %d/%d rows", strings.Repeat("=", done), strings.Repeat(" ", width-done), rows, total)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printSummary(w io.Writer, file string, s replay.Summary, took time.Duration) {
	fmt.Fprintf(w, "%s: %d rows, %d sent, %d accepted, %d rejected in %s\n", file, s.Rows, s.Sent, s.Accepted, s.Rejected, took.Round(time.Millisecond))
	if s.Rejected > 0 {
		fmt.Fprintln(w, "rejected, by column:")
	}
	for _, fc := range s.ByField() {
		fmt.Fprintf(w, "  %6d  %-20s e.g. %s\n", fc.Count, fc.Field, fc.Example)
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "data-quality warnings (rows kept and sent): %d\n", len(s.Warnings))
	}
	for _, fc := range s.WarningsByField() {
		fmt.Fprintf(w, "  %6d  %-20s e.g. %s\n", fc.Count, fc.Field, fc.Example)
	}
}

func writeRejections(path string, rs []replay.Rejection) error {
	var b strings.Builder
	b.WriteString("line,key,column,reason\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "%d,%s,%s,%q\n", r.Line, r.Key, r.Field, r.Reason)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing rejections: %w", err)
	}
	return nil
}
