package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/store/history"
)

func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("history", stderr, &o, "clickhouse")
	printQueries := fs.Bool("print-queries", false, "write each planner query, with sample parameters bound, to stdout")
	retain := fs.Int("retain-months", 0, "drop the monthly partitions older than this many months (the current month counts)")
	retainReadings := fs.Int("retain-readings-months", 0, "drop the raw readings and their per-minute aggregates older than this many months (fewer than --retain-months: the hourly aggregates stay)")
	settle := fs.Bool("settle", false, "merge each month not written to for --quiet into one part, which the planner queries then read without FINAL")
	quiet := fs.Duration("quiet", 10*time.Minute, "with --settle: leave months written to more recently than this")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case *printQueries:
		sql, err := history.SampleSQL(o.ClickHouse.Database)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, sql)
		return err
	case *settle:
		s, err := o.OpenStore(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		merged, err := s.Settle(ctx, *quiet, time.Now())
		for _, m := range merged {
			fmt.Fprintf(stdout, "settled %s\n", m)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d partitions settled\n", len(merged))
		return nil
	case *retain > 0 || *retainReadings > 0:
		if *retain > 0 && *retainReadings > *retain {
			return usageError{fmt.Errorf("--retain-readings-months %d is longer than --retain-months %d: raw readings go first", *retainReadings, *retain)}
		}
		s, err := o.OpenStore(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if *retainReadings > 0 {
			dropped, err := s.RetainReadings(ctx, *retainReadings, time.Now())
			for _, d := range dropped {
				fmt.Fprintf(stdout, "dropped %s\n", d)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "kept the last %d months of raw readings: %d partitions dropped\n", *retainReadings, len(dropped))
		}
		if *retain > 0 {
			dropped, err := s.Retain(ctx, *retain, time.Now())
			for _, d := range dropped {
				fmt.Fprintf(stdout, "dropped %s\n", d)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "kept the last %d months: %d partitions dropped\n", *retain, len(dropped))
		}
		return nil
	}
	fs.Usage()
	return fmt.Errorf("give --print-queries, --retain-months N, --retain-readings-months N or --settle")
}
