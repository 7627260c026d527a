package web

import (
	"embed"
	"fmt"
	"io/fs"
	"mime"
	"path"
)

// static holds the live map page. It loads nothing from elsewhere.
//
//go:embed static
var static embed.FS

// staticAssets returns the embedded files as assets by file name.
func staticAssets() (map[string]*asset, error) {
	out := make(map[string]*asset)
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
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
		return nil, fmt.Errorf("reading the embedded page: %w", err)
	}
	return out, nil
}
