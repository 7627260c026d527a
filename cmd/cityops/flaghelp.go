package main

import (
	"flag"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// printDefaults writes fs's flags as flag.PrintDefaults does, but names the
// value of a setting's flag by the type of its field in role.Config
// (string, int, duration) where flag would say only "value", and quotes a
// string's default.
func printDefaults(fs *flag.FlagSet) {
	w := fs.Output()
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if sf, ok := f.Value.(settingFlag); ok {
			name = kindOf(sf.s.key)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name)
		if name != "" {
			b.WriteString(" " + name)
		}
		if b.Len() <= 4 { // a one-letter bool flag: its help on the same line
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !zeroDefault(name, f.DefValue) {
			if name == "string" {
				fmt.Fprintf(&b, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(&b, " (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, b.String())
	})
}

// zeroDefault reports whether def is the zero value of a flag of the kind
// name, which help leaves unsaid.
func zeroDefault(name, def string) bool {
	switch {
	case def == "":
		return true
	case name == "int", name == "uint", name == "float":
		return def == "0"
	case name == "duration":
		return def == "0s"
	case name == "":
		return def == "false"
	}
	return false
}

// kindOf names the type of the field of role.Config that setting key (its
// dotted path of yaml names) sets: duration, int, or string (a list is given
// as one comma-separated string).
func kindOf(key string) string {
	t := reflect.TypeOf(role.Config{})
	for _, part := range strings.Split(key, ".") {
		f, ok := yamlField(t, part)
		if !ok {
			return "value"
		}
		t = f.Type
	}
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "duration"
	case t.Kind() == reflect.Int:
		return "int"
	case t.Kind() == reflect.String, t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "string"
	}
	return "value"
}

// yamlField returns the field of struct type t whose yaml name is name.
func yamlField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
