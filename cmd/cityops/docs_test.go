package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsDocumented checks that the settings table of
// docs/operations.md has a row for every setting naming its key, its
// environment variable and its flag, and no row for a setting that does not
// exist.
func TestSettingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if key, _, ok := strings.Cut(rest, "`"); ok && strings.Contains(line, "`CITYOPS_") {
				rows[key] = line
			}
		}
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.key] = true
		row, ok := rows[s.key]
		if !ok {
			t.Errorf("docs/operations.md has no row for %s", s.key)
			continue
		}
		if !strings.Contains(row, "`"+s.env+"`") || !strings.Contains(row, "`--"+s.flag) {
			t.Errorf("docs/operations.md: the row of %s does not name %s and --%s: %s", s.key, s.env, s.flag, row)
		}
	}
	for key := range rows {
		if !known[key] {
			t.Errorf("docs/operations.md documents %s, which is not a setting", key)
		}
	}
}

// TestDocumentedCommandsExist checks every cityops command shown in the
// README and docs/ (in sh blocks and in inline code): the command exists,
// and each --flag it is shown with is one of the command's flags.
func TestDocumentedCommandsExist(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../README.md")
	checked := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range documentedCommands(string(b)) {
			checked++
			var out, errb bytes.Buffer
			args := append(append([]string{}, c.words...), "-h")
			run(t.Context(), args, &out, &errb)
			help := out.String() + errb.String()
			if strings.Contains(help, "unknown command") || !strings.Contains(help, c.words[0]) {
				t.Errorf("%s: `cityops %s` is not a command:\n%s", filepath.Base(file), strings.Join(c.words, " "), help)
				continue
			}
			if !strings.Contains(help, "Usage of cityops") {
				continue // a command that prints only its usage line
			}
			for _, f := range c.flags {
				if !strings.Contains(help, "  -"+f+" ") && !strings.Contains(help, "  -"+f+"\n") && !strings.Contains(help, "  -"+f+"\t") {
					t.Errorf("%s: `cityops %s` has no flag --%s", filepath.Base(file), strings.Join(c.words, " "), f)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("found only %d documented commands", checked)
	}
}

type documentedCommand struct {
	words []string // the command and, for pack, rules, dlq, its subcommand
	flags []string
}

// documentedCommands finds the cityops commands of a Markdown text: the
// lines of sh blocks (continuations joined) and inline code spans that run
// cityops, directly or through go run ./cmd/cityops.
func documentedCommands(md string) []documentedCommand {
	var texts []string
	inSh := false
	cont := ""
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inSh = !inSh && strings.HasPrefix(line, "```sh")
		case inSh:
			if s, ok := strings.CutSuffix(line, "\\"); ok {
				cont += s + " "
				continue
			}
			texts = append(texts, cont+line)
			cont = ""
		default:
			parts := strings.Split(line, "`")
			for i := 1; i < len(parts); i += 2 {
				if strings.HasPrefix(parts[i], "cityops ") {
					texts = append(texts, parts[i])
				}
			}
		}
	}
	var cmds []documentedCommand
	for _, text := range texts {
		text, _, _ = strings.Cut(text, "#") // a comment
		for _, seg := range strings.Split(text, "cityops ")[1:] {
			fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ", `\|`, "|").Replace(seg))
			if len(fields) == 0 {
				continue
			}
			name, _, _ := strings.Cut(fields[0], "|")
			if name == "" || strings.ToUpper(name) == name || strings.ContainsAny(name, "/.`") {
				continue // a placeholder (COMMAND) or not a command
			}
			c := documentedCommand{words: []string{name}}
			rest := fields[1:]
			if (name == "pack" || name == "rules" || name == "dlq") && len(rest) > 0 {
				sub, _, _ := strings.Cut(rest[0], "|")
				c.words = append(c.words, sub)
				rest = rest[1:]
			}
			for _, f := range rest {
				if flag, ok := strings.CutPrefix(f, "--"); ok {
					flag, _, _ = strings.Cut(flag, "=")
					if flag != "" && flag != "help" {
						c.flags = append(c.flags, flag)
					}
				}
			}
			cmds = append(cmds, c)
		}
	}
	return cmds
}
