package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/rules"
)

// packCommands are the subcommands of `cityops pack`.
var packCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"check": runPackCheck,
}

// packVerbs are the verbs of pack in the order its usage lists them.
var packVerbs = []string{"check", "learn", "eval"}

func runPack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		printPackUsage(ctx, stderr)
		return flag.ErrHelp
	}
	if len(args) == 0 {
		printPackUsage(ctx, stderr)
		return usageErrorf("no pack command: want check, learn or eval")
	}
	run, ok := packCommands[args[0]]
	if !ok {
		printPackUsage(ctx, stderr)
		return usageErrorf("unknown pack command %q (want check, learn or eval)", args[0])
	}
	return run(ctx, args[1:], stdout, stderr)
}

// printPackUsage writes the usage of every pack verb with its flags, as
// each verb's -h prints it.
func printPackUsage(ctx context.Context, w io.Writer) {
	fmt.Fprintln(w, "usage: cityops pack VERB [flags]\n\nCheck, bootstrap and measure city packs.")
	for _, v := range packVerbs {
		fmt.Fprintln(w)
		_ = packCommands[v](ctx, []string{"-h"}, io.Discard, w)
	}
}

// runPackCheck loads the pack in DIR, printing every problem with its file
// and line; it fails when there is one. With --national it also checks the
// pack's catalogue against the national classification.
func runPackCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var o role.Config
	fs := newFlags("pack check", stderr, &o)
	national := fs.String("national", "", "CSV of the national classification of city parts and events to check the catalogue against")
	verbFlagUsage(fs, stderr, verbUsage{"pack check DIR [--national FILE.csv]",
		"Load the pack in DIR and print every problem with its file and line; fail when there is one.", nil})
	// DIR may come before the flags: cityops pack check DIR --national FILE
	var dir []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[:1], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	dir = append(dir, fs.Args()...)
	if len(dir) != 1 {
		fs.Usage()
		return usageErrorf("want one pack directory, got %d", len(dir))
	}
	o.Pack = dir[0]
	p, err := o.LoadPack()
	if err != nil {
		return err
	}
	if *national != "" {
		if err := checkNational(o.Pack, *national); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: every category's code and name are in %s\n", o.Pack, *national)
	}
	fmt.Fprintf(stdout, "%s: ok: %d categories, %d departments, %d matrix entries, %d devices, %d rules, %d boundary tie-breaks\n",
		o.Pack, len(p.Categories), len(p.Departments), len(p.Matrix.Entries), len(p.Devices), p.Engine.Rules(), p.Tiebreaks.Len())
	return nil
}

// checkNational checks the catalogue of the pack in dir against the national
// classification in file.
func checkNational(dir, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("opening the national catalogue: %w", err)
	}
	defer f.Close()
	nat, err := rules.ReadNational(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", file, err)
	}
	if err := rules.CheckNational(os.DirFS(dir), nat); err != nil {
		return fmt.Errorf("checking pack %s against %s: %w", dir, file, err)
	}
	return nil
}

// missingArgs is the usage error of a command run without what it needs:
// the usage line and every flag with its help, as --help prints them.
func missingArgs(fs *flag.FlagSet, usage string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\nflags:\n", usage)
	out := fs.Output()
	fs.SetOutput(&b)
	printDefaults(fs)
	fs.SetOutput(out)
	return usageError{errors.New(strings.TrimRight(b.String(), "\n"))}
}
