// Package realdata finds the public real-world data some tests run on: New
// York's 311 requests, Chicago's and Santander's sensors, city boundaries and
// category lists (docs/testdata.md says where each file comes from). The data
// is not in the repository. Its directory is $CITYOPS_TESTDATA or, when that
// is unset, ../shared/data beside the module root if it exists.
//
// When the data is absent the tests that need it skip with a message naming
// CITYOPS_TESTDATA, so a fresh clone's tests pass; under CI=true they fail
// instead, so CI always runs them. A directory named by CITYOPS_TESTDATA
// that does not exist, or a file missing from a directory that does, fails
// the test everywhere.
package realdata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Env is the variable naming the data directory.
const Env = "CITYOPS_TESTDATA"

// Dir returns the data directory and whether it exists. With CITYOPS_TESTDATA
// unset it is ../shared/data beside the module root. A relative
// CITYOPS_TESTDATA is taken from the module root, where one runs go test
// ./..., not from the package directory go test runs each test in.
func Dir() (string, bool) {
	dir := fromRoot(os.Getenv(Env), "data")
	fi, err := os.Stat(dir)
	return dir, dir != "" && err == nil && fi.IsDir()
}

// fromRoot makes dir absolute against the module root; an empty dir is
// ../shared/NAME beside the root. It is "" when there is no module root
// above the working directory and dir needs one.
func fromRoot(dir, name string) string {
	if filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	root, err := moduleRoot()
	if err != nil {
		return ""
	}
	if dir == "" {
		return filepath.Join(root, "..", "shared", name)
	}
	return filepath.Join(root, dir)
}

// moduleRoot returns the nearest directory above the working directory (or
// it) that holds a go.mod: go test runs a package's tests in its directory.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("no go.mod above " + wd)
		}
		d = up
	}
}

// Require returns the data directory, or skips t when there is none (fails
// it under CI=true or when CITYOPS_TESTDATA names a missing directory).
func Require(t testing.TB) string {
	t.Helper()
	dir, ok := Dir()
	if ok {
		return dir
	}
	switch {
	case os.Getenv(Env) != "":
		t.Fatalf("%s=%s: no such directory", Env, os.Getenv(Env))
	case os.Getenv("CI") == "true":
		t.Fatalf("the real test data is missing (CI=true): set %s to its directory (docs/testdata.md); looked in %s", Env, dir)
	default:
		t.Skipf("skipped: runs on the real test data; set %s to its directory (docs/testdata.md) to run it", Env)
	}
	return ""
}

// Path returns the path of name (slash-separated, relative to the data
// directory), skipping t as Require does when there is no data directory
// and failing it when the directory lacks the file.
func Path(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Require(t), filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the real test data is incomplete: %v", err)
	}
	return p
}

// Read returns the contents of name, as Path finds it.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Open opens name, as Path finds it; the file is closed when t ends.
func Open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// ToolsEnv is the variable naming the directory of the outside tools some
// tests use (ch-modern: a current ClickHouse engine in-process).
const ToolsEnv = "CITYOPS_TESTTOOLS"

// Tool returns the path of an outside tool, from $CITYOPS_TESTTOOLS (taken
// from the module root when relative) or else ../shared/tools beside it. Without it t is skipped, or fails
// under CI=true or when CITYOPS_TESTTOOLS is set.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(fromRoot(os.Getenv(ToolsEnv), "tools"), name)
	_, err := os.Stat(p)
	if err == nil && filepath.IsAbs(p) {
		return p
	}
	if os.Getenv(ToolsEnv) != "" || os.Getenv("CI") == "true" {
		t.Fatalf("the test tool %s is missing: %v", name, err)
	}
	t.Skipf("skipped: needs the test tool %s; set %s to the directory holding it (docs/testdata.md)", name, ToolsEnv)
	return ""
}
