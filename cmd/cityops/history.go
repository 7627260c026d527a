package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
)

func init() {
	commands["history"] = command{runHistory, "print the planner queries (--print-queries) or drop old months (--retain-months N)"}
}

func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags("history", stderr, &o, "clickhouse")
	printQueries := fs.Bool("print-queries", false, "write each planner query, with sample parameters bound, to stdout")
	retain := fs.Int("retain-months", 0, "drop the monthly partitions older than this many months (the current month counts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *printQueries:
		sql, err := history.SampleSQL(o.database)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, sql)
		return err
	case *retain > 0:
		s, err := store.Open(ctx, store.Options{Addr: o.clickhouse, Database: o.database})
		if err != nil {
			return err
		}
		defer s.Close()
		dropped, err := s.Retain(ctx, *retain, time.Now())
		for _, d := range dropped {
			fmt.Fprintf(stdout, "dropped %s\n", d)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "kept the last %d months: %d partitions dropped\n", *retain, len(dropped))
		return nil
	}
	fs.Usage()
	return fmt.Errorf("give --print-queries or --retain-months N")
}
