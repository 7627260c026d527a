package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("migrate", stderr, &o, "clickhouse")
	print := fs.Bool("print", false, "write the schema's SQL to stdout instead of applying it")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *print {
		_, err := io.WriteString(stdout, store.MigrationSQL(o.ClickHouse.Database))
		return err
	}
	s, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	applied, err := s.AppliedMigrations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at migration %d\n", o.ClickHouse.Database, applied[len(applied)-1])
	return nil
}
