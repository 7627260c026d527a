package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/cityops/cityops/cmd/cityops/role"
	"go.yaml.in/yaml/v3"
)

// source records where the settings that are not defaults came from: the
// file's line of each key it sets, and the environment variables used.
type source struct {
	file  string
	lines map[string]int // setting key -> line in file
	env   map[string]string
}

// explicit reports whether key was set by the file or the environment.
func (s *source) explicit(key string) bool {
	_, f := s.lines[key]
	_, e := s.env[key]
	return f || e
}

// loadConfig returns the defaults overridden by the file at path (none when
// path is empty) and then by the environment, validated.
func loadConfig(path string, getenv func(string) string) (role.Config, *source, error) {
	c := role.Defaults()
	src := &source{file: path, lines: map[string]int{}, env: map[string]string{}}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, src, fmt.Errorf("reading config: %w", err)
		}
		if err := decodeConfig(b, &c, src); err != nil {
			// Report the settings that are wrong too, in one go.
			return c, src, fmt.Errorf("loading config %s: %w", path, errors.Join(err, validate(&c, src)))
		}
	}
	if err := applyEnv(&c, src, getenv); err != nil {
		return c, src, err
	}
	if err := validate(&c, src); err != nil {
		return c, src, fmt.Errorf("checking config: %w", err)
	}
	return c, src, nil
}

// unknownField matches yaml's error for a key the struct does not have.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type .*$`)

// decodeConfig decodes one YAML document onto c strictly: an unknown key is
// an error that names the key and its line.
func decodeConfig(b []byte, c *role.Config, src *source) error {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file keeps the defaults
		}
		return fmt.Errorf("parsing: %w", err)
	}
	collectLines(&doc, "", src.lines)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("decoding: %w", err)
		}
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			if m := unknownField.FindStringSubmatch(e); m != nil {
				errs = append(errs, fmt.Errorf("line %s: unknown key %q", m[1], keyAt(src.lines, m[1], m[2])))
				continue
			}
			errs = append(errs, errors.New(e))
		}
		return errors.Join(errs...)
	}
	return nil
}

// collectLines records the line of every key under node, by dotted path.
func collectLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			collectLines(c, prefix, lines)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := prefix + n.Content[i].Value
		lines[key] = n.Content[i].Line
		collectLines(n.Content[i+1], key+".", lines)
	}
}

// keyAt returns the dotted path of the key name on line, or name.
func keyAt(lines map[string]int, line, name string) string {
	for k, l := range lines {
		if strconv.Itoa(l) == line && (k == name || strings.HasSuffix(k, "."+name)) {
			return k
		}
	}
	return name
}

// applyEnv overrides c with the CITYOPS_* variables that are set.
func applyEnv(c *role.Config, src *source, getenv func(string) string) error {
	var errs []error
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s (from %s): %w", s.key, s.env, err))
			continue
		}
		delete(src.lines, s.key) // errors name the variable, not the file's line
		src.env[s.key] = s.env
	}
	return errors.Join(errs...)
}

// list splits a comma-separated value, dropping empty items.
func list(v string) []string {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func atoi(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", v)
	}
	return n, nil
}
