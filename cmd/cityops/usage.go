package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// usageError is a command line the command cannot run: cityops exits 2 on
// it, as it does on a flag it does not know, and 1 on a failure of the work.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usageErrorf(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitCode is what cityops exits with after a command returned err: 0 for
// success and for help that was asked for, 2 for a usage error, 1 for
// anything else.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return slices.Contains([]string{"-h", "-help", "--help", "help"}, arg)
}

// verbUsage is the usage of one verb of a command with verbs, such as
// `dlq list`: its synopsis, what it does, and its flags.
type verbUsage struct {
	synopsis string // "dlq list [flags]"
	help     string
	flags    *flag.FlagSet // nil when the verb has none
}

// printVerbs writes the full usage of a command with verbs: each verb with
// its flags.
func printVerbs(w io.Writer, cmd, about string, verbs ...verbUsage) {
	fmt.Fprintf(w, "usage: cityops %s VERB [flags]\n\n%s\n", cmd, about)
	for _, v := range verbs {
		fmt.Fprintf(w, "\ncityops %s\n  %s\n", v.synopsis, strings.ReplaceAll(v.help, "\n", "\n  "))
		if v.flags != nil && hasFlags(v.flags) {
			v.flags.SetOutput(w)
			printDefaults(v.flags)
		}
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// verbFlagUsage makes fs's -h print the verb's synopsis and help before its
// flags.
func verbFlagUsage(fs *flag.FlagSet, stderr io.Writer, v verbUsage) {
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: cityops %s\n  %s\n\nflags:\n", v.synopsis, strings.ReplaceAll(v.help, "\n", "\n  "))
		fs.SetOutput(stderr)
		printDefaults(fs)
	}
}
