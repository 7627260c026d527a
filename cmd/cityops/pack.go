package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// packCommands are the subcommands of `cityops pack`.
var packCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"check": runPackCheck,
}

func init() {
	commands["pack"] = command{runPack, "pack check DIR | pack learn ... | pack eval DIR ...: check, bootstrap and measure city packs"}
}

func runPack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cityops pack check|learn|eval ...")
	}
	run, ok := packCommands[args[0]]
	if !ok {
		return fmt.Errorf("unknown pack command %q (want check, learn or eval)", args[0])
	}
	return run(ctx, args[1:], stdout, stderr)
}

// runPackCheck loads the pack in DIR, printing every problem with its file
// and line; it fails when there is one.
func runPackCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags("pack check", stderr, &o)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: cityops pack check DIR")
	}
	o.pack = fs.Arg(0)
	p, err := o.loadPack()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok: %d categories, %d departments, %d matrix entries, %d devices, %d rules, %d boundary tie-breaks\n",
		o.pack, len(p.Categories), len(p.Departments), len(p.Matrix.Entries), len(p.Devices), p.Engine.Rules(), p.Tiebreaks.Len())
	return nil
}
