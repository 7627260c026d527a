package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFromEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(Env, dir)
	if got, ok := Dir(); !ok || got != dir {
		t.Fatalf("Dir() = %q, %v; want %q, true", got, ok, dir)
	}
	if got := string(Read(t, "a.csv")); got != "x\n" {
		t.Fatalf("Read = %q", got)
	}
}

func TestDefaultBesideModuleRoot(t *testing.T) {
	t.Setenv(Env, "")
	dir, _ := Dir()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(root), "shared", "data"); dir != want {
		t.Fatalf("Dir() = %q, want %q", dir, want)
	}
}

// TestSkipsWithoutData checks that a test needing absent data is skipped
// rather than failed when not under CI, in a clone with nothing beside it.
func TestSkipsWithoutData(t *testing.T) {
	t.Setenv(Env, "")
	t.Setenv("CI", "")
	mod := filepath.Join(t.TempDir(), "cityops")
	if err := os.MkdirAll(filepath.Join(mod, "geo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(mod, "geo"))
	if dir, ok := Dir(); ok || dir != filepath.Join(filepath.Dir(mod), "shared", "data") {
		t.Fatalf("Dir() = %q, %v in a clone with nothing beside it", dir, ok)
	}
	ran := false
	t.Run("needs data", func(t *testing.T) {
		Require(t)
		ran = true
	})
	if ran {
		t.Fatal("Require returned without data")
	}
}

func TestRelativeDirFromModuleRoot(t *testing.T) {
	t.Setenv(Env, "deploy/realdata")
	dir, ok := Dir()
	want, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if !ok || dir != want {
		t.Fatalf("Dir() = %q, %v; want %q, true", dir, ok, want)
	}
}
