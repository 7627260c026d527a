package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cityops/cityops/cmd/cityops/role"
)

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr, &role.Config{})
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintln(stdout, role.ReadBuild())
	return nil
}
