package web

import (
	"fmt"
	"io/fs"
	"mime"
	"path"

	"github.com/cityops/cityops/web/ui"
)

// staticAssets returns the embedded pages and their scripts and styles
// (package ui) as assets by file name.
func staticAssets() (map[string]*asset, error) {
	dist := ui.Dist()
	out := make(map[string]*asset)
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[path.Base(p)] = newAsset(ctype, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the embedded pages: %w", err)
	}
	for _, page := range []string{"map.html", "inbox.html", "planner.html"} {
		if out[page] == nil {
			return nil, fmt.Errorf("reading the embedded pages: %s is missing (run web/ui/build.sh)", page)
		}
	}
	return out, nil
}
