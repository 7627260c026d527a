package cityops_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The rules of the architecture (docs/architecture.md): which of the
// project's packages a package may depend on, directly or not. A rule
// names a package and every package under it.
var forbidden = []struct {
	pkg, may string // pkg (and its subpackages) must not depend on may's
	why      string
}{
	{"rules", "dispatch", "the rule engine and the processor come before dispatch in the pipeline"},
	{"rules", "store", "the processor hands its output to the store through the wiring and topics"},
	{"rules", "web", "the processor knows nothing of the pages"},
	{"ingest", "rules", "intake validates and masks; classifying is the processor's"},
	{"ingest", "dispatch", "intake hands over through topics"},
	{"ingest", "store", "intake reads the store through the interfaces it declares"},
	{"store", "web", "the store serves the web, not the other way"},
	{"bus", "", "the Kafka contract stands on its own"},
	{"geo", "", "geo knows only the domain types"},
}

// onlyFor are packages that only the packages named (and tests) may depend
// on.
var onlyFor = []struct {
	pkg string   // the package and every package under it
	by  []string // the packages that may depend on it
	why string
}{
	{"cmd/cityops/role", []string{"cmd/cityops"}, "the roles' wiring is the binary's to run and the tests' to call, never a stage's to depend on"},
}

// TestImportRules reads `go list -deps` of every package and fails when a
// package depends on one its rule forbids, on one only others may depend
// on, or the root package on anything but the standard library.
func TestImportRules(t *testing.T) {
	const mod = "github.com/cityops/cityops"
	out, err := exec.Command("go", "list", "-deps", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Standard   bool
		Deps       []string
		Module     *struct{ Path string }
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module != nil && p.Module.Path == mod {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list gave %d of the project's packages", len(pkgs))
	}
	std := map[string]bool{}
	own := map[string]bool{}
	for _, p := range pkgs {
		own[p.ImportPath] = true
	}
	under := func(path, dir string) bool {
		return path == mod+"/"+dir || strings.HasPrefix(path, mod+"/"+dir+"/")
	}
	checked := 0
	for _, p := range pkgs {
		for _, d := range p.Deps {
			if p.ImportPath == mod && !own[d] && strings.Contains(strings.Split(d, "/")[0], ".") && !std[d] {
				t.Errorf("the root package depends on %s: it must use the standard library only", d)
			}
			for _, r := range forbidden {
				if !under(p.ImportPath, r.pkg) {
					continue
				}
				checked++
				if r.may == "" && own[d] && d != mod {
					t.Errorf("%s depends on %s: %s", p.ImportPath, d, r.why)
				}
				if r.may != "" && under(d, r.may) {
					t.Errorf("%s depends on %s: %s", p.ImportPath, d, r.why)
				}
			}
		}
	}
	for _, r := range onlyFor {
		for _, p := range pkgs {
			if under(p.ImportPath, r.pkg) || slices.ContainsFunc(r.by, func(by string) bool { return p.ImportPath == mod+"/"+by }) {
				continue
			}
			checked++
			for _, d := range p.Deps {
				if under(d, r.pkg) {
					t.Errorf("%s depends on %s: %s", p.ImportPath, d, r.why)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no rule applied to any package")
	}
}
